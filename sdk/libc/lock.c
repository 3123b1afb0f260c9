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

#include <lemmings/clock.h>
#include <lemmings/lock.h>
#include <lemmings/threads.h>

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

/* Let any other thread run for a while: a nap on a timer if one can be
 * had, else a yield. */
static void nap(struct lm_lock *l)
{
	if ((!l->timer || lm_sleep_ns(l->timer, NAP_NS) != LM_OK) && l->threads)
		threads_yield(l->threads);
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
