/*
 * kvclient: finds the kvstore door in the hallway (waiting for kvstore to
 * publish it, if need be), uses it, and prints what a call through it
 * costs next to a plain function call in this program.
 */
#include <stdio.h>

#include <lemmings/clock.h>
#include <lemmings/kvstore.h>
#include <lemmings/timer.h>

#define KEYS 1000
#define CALLS 100000
#define WAIT_MS 2000

/* A plain function doing what the door's count does (one atomic load), to
 * compare the cost of the calls alone; noipa, so that it stays a real call
 * the compiler cannot see through or hoist out of the loop. */
static uint64_t local_stored = KEYS;

__attribute__((noipa)) static uint64_t local_count(void)
{
	return __atomic_load_n(&local_stored, __ATOMIC_RELAXED);
}

/* The door, polling every millisecond until kvstore has published it. */
static const struct kvstore_door *find_store(void)
{
	const struct timer_door *timer = timer_door_find();
	const struct kvstore_door *store = kvstore_door_find();
	timer_create_result t;

	if (store || !timer)
		return store;
	t = timer_create(timer);
	if (!timer_create_result_is_timer(t))
		return NULL;
	for (int ms = 0; ms < WAIT_MS && !store; ms++) {
		timer_set(timer, t, timer_now(timer) + 1000000);
		timer_wait(timer, t);
		store = kvstore_door_find();
	}
	timer_destroy(timer, t);
	return store;
}

int main(int argc, char **argv)
{
	const struct kvstore_door *store = find_store();
	uint64_t value = 0, sum = 0, t0, door_cycles, local_cycles;
	int wrong = 0;

	if (!store) {
		printf("kvclient: no kvstore door in the hallway after %d ms\n", WAIT_MS);
		return 1;
	}
	for (uint64_t k = 1; k <= KEYS; k++)
		if (kvstore_put(store, k, k * k))
			wrong++;
	for (uint64_t k = 1; k <= KEYS; k++)
		if (kvstore_get(store, k, &value) || value != k * k)
			wrong++;
	if (kvstore_get(store, KEYS + 1, &value) != LM_ERR_NOENT)
		wrong++;
	if (wrong) {
		printf("kvclient: FAILED: %d of %d operations went wrong\n", wrong, 2 * KEYS + 1);
		return 1;
	}
	printf("kvclient: %d puts and gets through the kvstore door agree (%llu keys stored)\n",
	       KEYS, (unsigned long long)kvstore_count(store));

	t0 = lm_cycles();
	for (int i = 0; i < CALLS; i++)
		sum += kvstore_count(store);
	door_cycles = lm_cycles() - t0;
	t0 = lm_cycles();
	for (int i = 0; i < CALLS; i++)
		sum += local_count();
	local_cycles = lm_cycles() - t0;
	/* Tenths of a cycle: natively a call costs a cycle or two. */
	door_cycles = door_cycles * 10 / CALLS;
	local_cycles = local_cycles * 10 / CALLS;
	printf("BENCH program.cross_process_door_call %llu.%llu cycles\n",
	       (unsigned long long)door_cycles / 10, (unsigned long long)door_cycles % 10);
	printf("BENCH program.local_function_call %llu.%llu cycles\n",
	       (unsigned long long)local_cycles / 10, (unsigned long long)local_cycles % 10);
	printf("kvclient: a call to another process costs %llu.%llu cycles, a local call "
	       "%llu.%llu (checksum %llu)\n", (unsigned long long)door_cycles / 10,
	       (unsigned long long)door_cycles % 10, (unsigned long long)local_cycles / 10,
	       (unsigned long long)local_cycles % 10, (unsigned long long)(sum & 0xff));
	return 0;
}
