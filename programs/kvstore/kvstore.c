/*
 * kvstore: publishes a door (programs/kvstore/kvstore.idl) and returns.
 * The door outlives main: the program's image stays loaded, and its
 * routines run in the threads of whoever calls them.
 *
 * The store is an open-addressed table of SLOTS keys, written with atomic
 * operations only, so any number of threads may put and get at once: a key
 * is claimed by compare-and-swap on its slot, and values are single words.
 */
#include <stdio.h>

#include <lemmings/kvstore.h>

#define SLOTS 4096

static uint64_t keys[SLOTS], values[SLOTS], stored;

/* The slot holding key, or the free slot where it would go; -1 if full. */
static long slot_for(uint64_t key, int claim)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < SLOTS; i++) {
		unsigned s = (unsigned)((h >> 52) + i) % SLOTS;
		uint64_t k = __atomic_load_n(&keys[s], __ATOMIC_ACQUIRE), none = 0;

		if (k == key)
			return s;
		if (k)
			continue;
		if (!claim)
			return -1;
		if (__atomic_compare_exchange_n(&keys[s], &none, key, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			__atomic_fetch_add(&stored, 1, __ATOMIC_RELAXED);
			return s;
		}
		if (none == key)
			return s; /* another thread claimed it for the same key */
	}
	return -1;
}

static kvstore_status put(kvstore_key key, uint64_t value)
{
	long s;

	if (!key)
		return LM_ERR_INVAL;
	s = slot_for(key, 1);
	if (s < 0)
		return LM_ERR_FULL;
	__atomic_store_n(&values[s], value, __ATOMIC_RELEASE);
	return LM_OK;
}

static kvstore_status get(kvstore_key key, uint64_t *value)
{
	long s;

	if (!key || !value)
		return LM_ERR_INVAL;
	s = slot_for(key, 0);
	if (s < 0)
		return LM_ERR_NOENT;
	*value = __atomic_load_n(&values[s], __ATOMIC_ACQUIRE);
	return LM_OK;
}

static uint64_t count(void)
{
	return __atomic_load_n(&stored, __ATOMIC_RELAXED);
}

static const struct kvstore_door door = {
	.header = KVSTORE_DOOR_HEADER,
	.put = put,
	.get = get,
	.count = count,
};

int main(int argc, char **argv)
{
	enum lm_err err = lm_door_register(&door.header);

	if (err) {
		printf("kvstore: cannot publish the door: %s\n", lm_err_str(err));
		return 1;
	}
	printf("kvstore: door published (%d slots)\n", SLOTS);
	return 0;
}
