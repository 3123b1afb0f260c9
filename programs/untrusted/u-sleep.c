/*
 * u-sleep: an untrusted program that blocks in a gated call for a long
 * time, for kernel/process_test.c: a Timer door timer set ten seconds
 * ahead and waited for, through the gate (granted timer:now,create,set,
 * wait,destroy by its starter). Meanwhile other processes' gated calls
 * must go on (each call has a gate thread of its own). Its exit status is
 * the number of the first check that failed, 0 if none.
 */
#include <lemmings/timer.h>

#define SLEEP_NS 10000000000ull

int main(void)
{
	const struct timer_door *t = timer_door_find();
	timer_create_result r;
	uint64_t start;

	if (!t)
		return 1;
	start = timer_now(t);
	r = timer_create(t);
	if (!timer_create_result_is_timer(r))
		return 2;
	if (timer_set(t, r, start + SLEEP_NS) != LM_OK)
		return 3;
	if (timer_wait(t, r) != LM_OK)
		return 4;
	if (timer_now(t) < start + SLEEP_NS)
		return 5;
	timer_destroy(t, r);
	return 0;
}
