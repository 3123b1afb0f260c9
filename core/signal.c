/*
 * Signals (see signal.h): delivery on a thread's own hart, and the signal
 * inbox that carries bits there from other harts and interrupt handlers.
 *
 * Owns: each hart's signal inbox (a lock-free stack of threads linked
 * through sig_next) and each thread's remote_events and sig_queued.
 *
 * Invariants: a thread is on at most one signal inbox, and is on one from
 * the exchange of sig_queued 0 -> 1 by a poster until the hart that takes
 * it off stores sig_queued = 0. A thread's page is not freed while it is
 * on one (signal_release): the hart that takes an ended thread off frees it.
 * Only a thread's own hart (t->hart) delivers its bits: another hart that
 * finds it on its inbox sends it on.
 *
 * Locking: none. A poster does two locked operations (an OR into
 * remote_events, an exchange of sig_queued) and a compare-and-swap on the
 * inbox; a same-hart signal does none. A drain takes sig_queued to 0
 * before it takes the bits, so bits posted after the take find sig_queued
 * 0 and post the thread again: none is left behind.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/stack.h"

static void inbox_push(struct hart *h, struct thread *t)
{
	struct thread *old = __atomic_load_n(&h->rq.sig_inbox, __ATOMIC_RELAXED);

	do
		t->sig_next = old;
	while (!__atomic_compare_exchange_n(&h->rq.sig_inbox, &old, t, true, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED));
	rq_want_full_pick(&h->rq);
}

void signal_post(struct thread *t, uint64_t bits)
{
	struct hart *h, *me = this_hart();
	unsigned prio = t->priority;
	bool movable = !(__atomic_load_n(&t->flags, __ATOMIC_RELAXED) & THREAD_PINNED);

	__atomic_fetch_or(&t->remote_events, bits, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&t->sig_queued, 1, __ATOMIC_ACQ_REL))
		return; /* on an inbox already: its drain takes these bits too */
	h = &harts[__atomic_load_n(&t->hart, __ATOMIC_RELAXED)];
	inbox_push(h, t);
	/* From here on t may be delivered to, and end: only prio and movable,
	 * read before, say whether its hart must look now. It must if t may
	 * outrank what runs there (an idle hart runs its idle thread, below
	 * every priority), or may move to an idle hart once woken. */
	if (h == me || prio < __atomic_load_n(&h->current_priority, __ATOMIC_RELAXED)) {
		sched_ask_resched(h);
	} else if (movable && (__atomic_load_n(&idle_harts, __ATOMIC_RELAXED) &
			       __atomic_load_n(&sched_harts, __ATOMIC_RELAXED) &
			       ~(1ull << h->id))) {
		plat_hart_kick(h);
	}
}

void signal_drain(struct hart *h)
{
	struct thread *list, *rev = NULL, *t;

	if (!__atomic_load_n(&h->rq.sig_inbox, __ATOMIC_RELAXED))
		return;
	/* The stack holds the last post first: turn it round, so threads are
	 * made ready in the order they were signalled. In the other order, the
	 * threads a hosted hart's poll wakes in a batch (hosted/net.c) would
	 * run last-ready first, and the connections that came last in one
	 * batch would come last, and be served first, in every batch after. */
	list = __atomic_exchange_n(&h->rq.sig_inbox, NULL, __ATOMIC_ACQUIRE);
	while ((t = list)) {
		list = t->sig_next;
		t->sig_next = rev;
		rev = t;
	}
	list = rev;
	while ((t = list)) {
		uint32_t owner = __atomic_load_n(&t->hart, __ATOMIC_RELAXED);
		struct woken w;
		uint64_t bits;

		list = t->sig_next;
		if (owner != h->id) {
			/* It moved since it was posted: its hart delivers. */
			inbox_push(&harts[owner], t);
			plat_hart_kick(&harts[owner]);
			continue;
		}
		__atomic_store_n(&t->sig_queued, 0, __ATOMIC_SEQ_CST);
		bits = __atomic_exchange_n(&t->remote_events, 0, __ATOMIC_ACQ_REL);
		if (t->flags & THREAD_ZOMBIE) {
			stack_give(h, t->stack_base, t->stack_pages);
			continue;
		}
		if (!bits || !signal_set(t, bits))
			continue;
		if (t == h->current) {
			/* Still switching out here (the drain at its own
			 * switch): it goes on, before threads of its priority
			 * queued after it. */
			t->state = THREAD_READY;
			t->flags |= THREAD_REQUEUE_HEAD;
			continue;
		}
		/* Queued, never runnext: no thread here is about to follow
		 * this wake-up by blocking. */
		sched_ready(t, false, &w);
		if (w.priority < h->current->priority)
			sched_note_resched();
	}
}

