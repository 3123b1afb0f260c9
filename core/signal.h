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

/* t belongs to this hart: set bits, and if t waits for one of them make it
 * ready. Returns whether it did, and then fills *w. A thread's own signal
 * (from thread code, which may block next) wakes t into runnext if it can
 * (sched_wake); a delivery of posted bits (which no thread here is about
 * to follow by blocking) queues it (sched_ready). Inline: it is most of a
 * same-hart signal. */
static inline bool signal_deliver_to(struct thread *t, uint64_t bits, struct woken *w,
				     bool from_thread)
{
	t->events |= bits;
	if (t->state != THREAD_WAITING || !(t->events & t->wait_mask))
		return false;
	t->wait_mask = 0;
	if (t == this_thread()) {
		/* Still switching out here (the drain at its own switch): it
		 * goes on, before threads of its priority queued after it. */
		t->state = THREAD_READY;
		t->flags |= THREAD_REQUEUE_HEAD;
		return false;
	}
	if (from_thread)
		sched_wake(t, w);
	else
		sched_ready(t, false, w);
	return true;
}

static inline bool signal_deliver(struct thread *t, uint64_t bits, struct woken *w)
{
	return signal_deliver_to(t, bits, w, true);
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
bool signal_release(struct thread *t);

#endif
