/*
 * Waiting in the net program: a thread sleeps until another wakes it or a
 * deadline passes (sys_arch.c's semaphores, the Net door's blocked calls).
 *
 * A waiter is a record on the sleeping thread's stack, put on a list that
 * the owner of the list guards with its own lock. It holds a timer of the
 * Timer door: the sleeper arms it with its deadline (or leaves it unarmed,
 * for no deadline) *before* joining the list, then waits on it; a waker
 * takes the waiter off the list under that lock, marks it woken and sets
 * the timer's deadline to 1, already past, which ends the wait at once or
 * makes the coming one return at once. So no wake is lost, and the
 * sleeper gives its timer back only after leaving the list, when no waker
 * can touch it.
 *
 * Without a timer (the Timer door's table is full) a waiter polls: it
 * yields and looks at its mark and the clock until one of them says go.
 */
#ifndef LEMMINGS_NET_WAIT_H
#define LEMMINGS_NET_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/lock.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

struct net_waiter {
	struct net_waiter *next;
	timer_timer timer;      /* 0: none could be had; the waiter polls */
	uint64_t deadline;      /* ns since boot; 0: none */
	uint32_t woken;         /* set by the waker, read by the sleeper */
};

/* The doors waiting uses; set once by main before any thread waits. */
extern const struct threads_door *net_threads;
extern const struct timer_door *net_timer;

/* Get a timer and arm it with deadline (0: none). Before joining a list. */
void net_waiter_init(struct net_waiter *w, uint64_t deadline);
/* Arm again for another round (after a wake that changed nothing). */
void net_waiter_rearm(struct net_waiter *w);
/* Sleep until woken or the deadline passes; true if woken. Called after
 * joining the list and letting go of its lock. */
bool net_waiter_sleep(struct net_waiter *w);
/* Give the timer back. After leaving the list. */
void net_waiter_done(struct net_waiter *w);

/* Waker side, under the list's lock: take every waiter off *list and wake
 * it; the one at the head only, for wake_one. */
void net_wake_all(struct net_waiter **list);
bool net_wake_one(struct net_waiter **list);
/* Take w off *list if it is still there (a sleeper whose deadline passed). */
void net_waiter_remove(struct net_waiter **list, struct net_waiter *w);
/* Put w at the end of *list (waiters are woken in order of waiting). */
void net_waiter_add(struct net_waiter **list, struct net_waiter *w);

uint64_t net_now(void);

#endif
