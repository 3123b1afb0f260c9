/*
 * Signals: delivering event bits to a thread on the hart it belongs to.
 *
 * A thread's event bits, its wait mask and its waiting state are its
 * hart's own: only code on that hart, with preemption or interrupts off,
 * reads or changes them, so a signal there is a few plain stores
 * (signal_deliver). A signal from another hart, or from an interrupt
 * handler, is posted instead (signal_post): its bits go to the thread's
 * remote_events word and the thread to its hart's signal inbox, and that
 * hart delivers them when it next schedules or is kicked (signal_drain).
 */
#ifndef CORE_SIGNAL_H
#define CORE_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sched.h"

struct hart;
struct woken;

/*
 * t belongs to this hart: set bits. Returns whether t waited for one of
 * them: it then waits no more (its wait mask is cleared), and the caller
 * must make it ready. A thread's wait mask is not 0 exactly while it waits
 * (thread_wait sets it just before it marks itself waiting, on its own
 * hart with preemption off, and every wake-up clears it), so one test
 * says both "waiting" and "for one of these". Inline: it is most of a
 * same-hart signal.
 */
static inline bool signal_set(struct thread *t, uint64_t bits)
{
	uint64_t ev = t->events | bits;

	t->events = ev;
	if (!(ev & t->wait_mask))
		return false;
	t->wait_mask = 0;
	return true;
}

/* A signal from a thread of t's hart (which may block next): set bits,
 * and wake t into runnext if it can (sched_wake_runnext), else into the
 * queues. Returns whether it was queued, and then fills *w (the caller
 * yields to it if it is more urgent; from runnext it never is). */
static inline bool signal_deliver(struct hart *h, struct thread *t, uint64_t bits,
				  struct woken *w)
{
	if (!signal_set(t, bits) || sched_wake_runnext(h, t))
		return false;
	sched_ready(t, false, w);
	return true;
}

/* From another hart or an interrupt handler: leave bits for t's hart to
 * deliver, and kick that hart if t may have to run (or move) soon. */
void signal_post(struct thread *t, uint64_t bits);
/* Deliver the signals posted for threads of h (this hart); forward those
 * of threads that moved to another hart; free threads that ended while
 * posted to. Preemption or interrupts off. */
void signal_drain(struct hart *h);
/* Take the bits posted for cur, the running thread, into its events
 * (inline: every wait looks, and there is seldom anything). */
static inline void signal_fold(struct thread *cur)
{
	if (__atomic_load_n(&cur->remote_events, __ATOMIC_RELAXED))
		cur->events |= __atomic_exchange_n(&cur->remote_events, 0, __ATOMIC_ACQ_REL);
}
/* t has ended and is switched out: may its page be freed now? Not while it
 * is on a signal inbox; then the hart that takes it off frees it. */
static inline bool signal_release(struct thread *t)
{
	if (__builtin_expect(!__atomic_load_n(&t->sig_queued, __ATOMIC_SEQ_CST), 1))
		return true;
	t->flags |= THREAD_ZOMBIE;
	return false;
}

#endif
