/*
 * lm_lock: a lock for the short critical sections of a program's threads
 * (a driver's queues, a table shared by a door's callers), which never
 * block while held.
 *
 * Why not a plain spinlock: the scheduler runs the highest priority first
 * and gives no time slices between threads of one priority
 * (docs/scheduling.md). A waiter that only spins, on the hart where the
 * holder waits to run, spins forever. So a waiter spins a little, then
 * yields through the Threads door (which lets a holder of its own priority
 * run), then naps 20 microseconds on the Timer door (which lets a holder of
 * any priority run), and tries again. Without the doors (NULL) it only
 * spins.
 */
#ifndef LEMMINGS_LOCK_H
#define LEMMINGS_LOCK_H

#include <stdint.h>

struct threads_door;
struct timer_door;

struct lm_lock {
	uint32_t held; /* 0 free, 1 held */
	const struct threads_door *threads;
	const struct timer_door *timer;
};

/* A free lock whose waiters yield and nap through these doors. */
void lm_lock_init(struct lm_lock *l, const struct threads_door *threads,
		  const struct timer_door *timer);
void lm_lock(struct lm_lock *l);
void lm_unlock(struct lm_lock *l);

#endif
