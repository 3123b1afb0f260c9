/*
 * lm_lock (lemmings/lock.h): spin, then yield, then nap.
 *
 * Owns nothing but the lock it is given. The figures: SPINS pauses cover a
 * critical section of a few dozen instructions held on another hart;
 * YIELDS rounds let a holder of the waiter's priority on its hart finish;
 * after that every round naps NAP_NS, long next to a critical section and
 * short next to what a driver waits for (a device's interrupt).
 */
#include <stdbool.h>
#include <stddef.h>

#include <lemmings/lock.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#define SPINS 200
#define YIELDS 4
#define NAP_NS 20000

void lm_lock_init(struct lm_lock *l, const struct threads_door *threads,
		  const struct timer_door *timer)
{
	l->held = 0;
	l->threads = threads;
	l->timer = timer;
}

static bool try_lock(struct lm_lock *l)
{
	return !__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE);
}

/* Let any other thread run for a while: a timer's wait if one can be had,
 * else a yield. */
static void nap(struct lm_lock *l)
{
	timer_create_result t;

	if (!l->timer || !timer_create_result_is_timer(t = timer_create(l->timer))) {
		if (l->threads)
			threads_yield(l->threads);
		return;
	}
	timer_set(l->timer, (timer_timer)t, timer_now(l->timer) + NAP_NS);
	timer_wait(l->timer, (timer_timer)t);
	timer_destroy(l->timer, (timer_timer)t);
}

void lm_lock(struct lm_lock *l)
{
	for (unsigned round = 0; !try_lock(l); round++) {
		for (unsigned i = 0; i < SPINS && __atomic_load_n(&l->held, __ATOMIC_RELAXED); i++)
			__builtin_ia32_pause();
		if (!__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			continue;
		if (round < YIELDS && l->threads)
			threads_yield(l->threads);
		else if (round >= YIELDS)
			nap(l);
	}
}

void lm_unlock(struct lm_lock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}
