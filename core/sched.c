/*
 * The scheduler: run queues, making threads ready, choosing the next one,
 * switching, preemption off, and the harts of the main scheduler. Threads
 * are born, end, wait and signal in core/thread.c, which calls down into
 * this file; event bits are delivered by core/signal.c.
 *
 * Switch protocol, and its home: switch_begin() below. A thread gives
 * up its hart in one of five ways, all of them here, with preemption off
 * (and interrupts on or off: switch_irqs says how each side finds them):
 *
 *   sched_thread_yield()    it yields: ctx_yield_switch saves its
 *                           registers, and it resumes in
 *                           sched_resume;
 *   sched_reschedule(cur)   it set its own state READY (the scheduler's
 *                           other yields) and its registers go to its
 *                           stack now, by ctx_switch_inline;
 *   sched_thread_wait(mask) it waits: ctx_wait_switch saves its registers,
 *                           and it resumes in sched_wait_resume;
 *   sched_preempt(cur, sp)  an interrupt's exit already saved its whole
 *                           state at sp (arch's preempt_save);
 *   sched_exit(cur)         it ended, and nothing of it is saved.
 *
 * Each picks the next thread and makes it current (switch_begin), then
 * resumes it. The thread that runs next calls sched_finish(prev) first
 * thing: only then, with prev's registers saved and its stack no longer in
 * use, is prev put back in a queue (READY) or freed (DEAD). A WAITING prev
 * needs nothing: only this hart can wake it, and it is busy here. Every
 * resume path (a yielder's and a new thread's sched_resume,
 * ctx_switch_inline's return, a waiter's sched_wait_resume, a preempted
 * thread's resume stub) does it.
 *
 * Owns: the run queues (each hart's own), runnext, the inboxes of threads
 * made ready by other harts, the preemption count.
 *
 * Run queues belong to their hart. Only the hart itself touches its queue,
 * with preemption or interrupts off (core/sched.h: an interrupt handler
 * that comes while preemption is off only notes its work), so queue
 * operations take no lock and no locked instruction. Another hart that
 * makes a thread ready here pushes it on this hart's inbox (a lock-free
 * stack) and kicks it; the hart moves its inbox into its queue when it
 * next schedules or is kicked. Work moves between harts in two ways: a
 * movable thread made ready for a busy hart goes to an idle hart of the
 * main scheduler instead, if there is one; and a hart with nothing to do
 * asks a busy one for a thread (steal_wanted), which the busy one hands
 * over when it next schedules or is kicked. A thread woken or spawned by a
 * thread of its hart may instead wait in runnext, to run there when the
 * waker blocks (Go's runnext; sched_wake).
 *
 * Locking: none. Threads' events belong to their hart too (core/signal.c).
 */
#include <stddef.h>

#include "arch/context.h"
#include "arch/upcalls.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/stack.h"

/* ---- run queues (this hart's own, interrupts off) ---- */

/* rq's runnext thread, or NULL (its hart's). */
static inline struct thread *rq_runnext(const struct runqueue *rq)
{
	return (struct thread *)(rq->runnext & ~(uintptr_t)RUNNEXT_MOVABLE);
}

/* t to its priority's queue in rq, at the head or the tail. */
static inline __attribute__((always_inline)) void rq_insert(struct runqueue *rq,
							    struct thread *t, bool head)
{
	unsigned p = t->priority;

	t->next = NULL;
	if (!rq->q[p].head) {
		rq->q[p].head = rq->q[p].tail = t;
	} else if (head) {
		t->next = rq->q[p].head;
		rq->q[p].head = t;
	} else {
		rq->q[p].tail->next = t;
		rq->q[p].tail = t;
	}
	rq->nonempty |= 1u << p;
	__atomic_store_n(&rq->count, rq->count + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rq->unpinned, rq->unpinned + !(t->flags & THREAD_PINNED),
			 __ATOMIC_RELAXED);
}

/*
 * Invariant: no queued thread is more urgent than runnext's (runnext is
 * filled only when none is: sched_wake_runnext, ready_here), so the pick
 * takes runnext, when there is one, without comparing. A thread more
 * urgent than runnext's that joins the queues moves it to the front of
 * its own priority's queue, where it still runs before the others of its
 * priority. No call: the resume of a yield makes none (finish_here).
 */
static inline __attribute__((always_inline)) void rq_push(struct runqueue *rq, struct thread *t,
							  bool head)
{
	struct thread *rn = rq_runnext(rq);

	if (__builtin_expect(rn && t->priority < rn->priority, 0)) {
		__atomic_store_n(&rq->runnext, 0, __ATOMIC_RELAXED);
		rq_insert(rq, rn, true);
	}
	rq_insert(rq, t, head);
}

static inline __attribute__((always_inline)) struct thread *rq_pop(struct runqueue *rq)
{
	unsigned p;
	struct thread *t;

	if (!rq->nonempty)
		return NULL;
	p = (unsigned)__builtin_ctz(rq->nonempty);
	t = rq->q[p].head;
	rq->q[p].head = t->next;
	if (!t->next) {
		rq->q[p].tail = NULL;
		rq->nonempty &= ~(1u << p);
	}
	__atomic_store_n(&rq->count, rq->count - 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rq->unpinned, rq->unpinned - !(t->flags & THREAD_PINNED),
			 __ATOMIC_RELAXED);
	return t;
}

/* Highest priority waiting in rq, runnext included: runnext's, if there
 * is one (rq_push's invariant). */
static inline unsigned rq_best(const struct runqueue *rq)
{
	struct thread *rn = rq_runnext(rq);

	return rn ? rn->priority : rq_best_queued(rq);
}

/* Take rn, rq's runnext thread. */
static inline __attribute__((always_inline)) struct thread *rq_take_runnext(struct runqueue *rq,
									   struct thread *rn)
{
	__atomic_store_n(&rq->runnext, 0, __ATOMIC_RELAXED);
	return rn;
}

/* The next thread to run from rq: runnext first (it was woken last, by a
 * thread that has blocked since; nothing queued is more urgent, by
 * rq_push's invariant), or NULL. */
static inline __attribute__((always_inline)) struct thread *rq_next(struct runqueue *rq)
{
	struct thread *rn = rq_runnext(rq);

	if (rn)
		return rq_take_runnext(rq, rn);
	return rq_pop(rq);
}

/* ---- making threads ready ---- */

/* A hart of the main scheduler for a thread that must leave its own:
 * rotate over them, so that an evacuated hart's threads spread out. */
static uint32_t pick_sched_hart(void)
{
	static uint32_t rotor;
	uint64_t mask = __atomic_load_n(&sched_harts, __ATOMIC_RELAXED);
	uint32_t start = __atomic_fetch_add(&rotor, 1, __ATOMIC_RELAXED);

	if (!mask)
		return 0;
	for (uint32_t k = 0; k < HART_MAX; k++) {
		uint32_t i = (start + k) % HART_MAX;
		if (mask & (1ull << i) && i < hart_count)
			return i;
	}
	return (uint32_t)__builtin_ctzll(mask);
}

/* Push t on hart h's inbox (another hart's): a lock-free stack. */
static void inbox_push(struct hart *h, struct thread *t)
{
	struct thread *old = __atomic_load_n(&h->rq.inbox, __ATOMIC_RELAXED);

	do
		t->next = old;
	while (!__atomic_compare_exchange_n(&h->rq.inbox, &old, t, true, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED));
	rq_want_full_pick(&h->rq);
}

/*
 * Claim an idle hart of the main scheduler other than this one, or NULL.
 * Its idle bit stays set while an interrupt has it run threads from inside
 * its idle loop, so the hart must also be running its idle thread now.
 *
 * The claim clears its idle bit, so that it gets one thread and not every
 * thread made ready until it wakes up: a halted hart may take a while to
 * wake (a virtual one whose host thread is not running, much longer), and
 * the next threads are better left where they are, for harts that go idle
 * to ask for. The hart sets its bit again when it next goes idle.
 */
static struct hart *idle_member(void)
{
	uint64_t idle;

	if (hart_count == 1)
		return NULL;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the caller's look at the busy hart first */
	idle = __atomic_load_n(&idle_harts, __ATOMIC_RELAXED) &
	       __atomic_load_n(&sched_harts, __ATOMIC_RELAXED) & ~(1ull << this_hart()->id);
	for (; idle; idle &= idle - 1) {
		uint64_t bit = idle & -idle;
		struct hart *h = &harts[__builtin_ctzll(idle)];

		if (__atomic_load_n(&h->current_priority, __ATOMIC_RELAXED) == PRIO_IDLE &&
		    (__atomic_fetch_and(&idle_harts, ~bit, __ATOMIC_ACQ_REL) & bit))
			return h;
	}
	return NULL;
}

/* sched_ready's other cases: t goes to another hart, or may. */
static __attribute__((noinline)) void ready_slow(struct thread *t, bool head, struct woken *w)
{
	struct hart *h, *me = this_hart();
	bool pinned = t->flags & THREAD_PINNED;
	unsigned prio = t->priority;

	/* A thread free to move never waits on a hart outside the main
	 * scheduler (one that left it, or a dedicated one), nor behind a
	 * busy hart's thread while another hart idles. */
	if (!pinned && !sched_in_scheduler(t->hart))
		t->hart = pick_sched_hart();
	h = &harts[t->hart];
	if (!pinned && prio >= __atomic_load_n(&h->current_priority, __ATOMIC_RELAXED)) {
		struct hart *idle = idle_member();

		if (idle && idle != h)
			h = idle, t->hart = idle->id;
	}
	/* Read t before it is queued: from then on another hart may run it,
	 * even to its end. */
	if (w)
		*w = (struct woken){.hart = t->hart, .priority = prio};
	if (h == me)
		rq_push(&h->rq, t, head);
	else
		inbox_push(h, t);

	/* A higher priority than what runs there: that hart must switch (an
	 * idle hart runs its idle thread, below every priority). */
	if (prio < __atomic_load_n(&h->current_priority, __ATOMIC_RELAXED))
		sched_ask_resched(h);
}

/* ready's common case: t is of this hart, me, and stays here (pinned, or
 * me is a member and no other hart could take it: there is none, or t is
 * more urgent than what runs here). */
static inline __attribute__((always_inline)) bool ready_stays(struct hart *me,
							      const struct thread *t)
{
	return t->hart == me->id &&
	       ((t->flags & THREAD_PINNED) ||
		(sched_in_scheduler(me->id) && (hart_count == 1 || t->priority < me->current_priority)));
}

/* That case, with no call. With no thread of its priority or better
 * waiting, and the runnext slot free, t takes the slot: it would run next
 * from the queues too, and the slot costs a store where the queue costs a
 * few (a yielder that is alone at its priority, a spawner that yields to
 * its child, come back there). */
static inline __attribute__((always_inline)) void ready_here(struct hart *me, struct thread *t,
							     bool head, struct woken *w)
{
	struct runqueue *rq = &me->rq;
	unsigned prio = t->priority;

	if (w)
		*w = (struct woken){.hart = me->id, .priority = prio};
	if (!rq->runnext && rq_best_queued(rq) > prio)
		rq_set_runnext(rq, t, t->flags & THREAD_PINNED);
	else
		rq_push(rq, t, head);
	if (prio < me->current_priority)
		sched_note_resched();
}

/* t, READY (sched_ready made it so; a yielder or a preempted thread that
 * finish requeues is), to the queues: here, or elsewhere if it must move. */
static inline __attribute__((always_inline)) void ready(struct thread *t, bool head,
							struct woken *w)
{
	struct hart *me = this_hart();

	if (ready_stays(me, t))
		ready_here(me, t, head, w);
	else
		ready_slow(t, head, w);
}

void sched_ready(struct thread *t, bool head, struct woken *w)
{
	t->state = THREAD_READY;
	ready(t, head, w);
}

/* Move the threads other harts made ready for this one into its queue,
 * in the order they came. */
static void inbox_drain(struct hart *h)
{
	struct thread *list, *rev = NULL, *t;

	if (!__atomic_load_n(&h->rq.inbox, __ATOMIC_RELAXED))
		return;
	list = __atomic_exchange_n(&h->rq.inbox, NULL, __ATOMIC_ACQUIRE);
	while ((t = list)) {
		list = t->next;
		t->next = rev;
		rev = t;
	}
	while ((t = rev)) {
		rev = t->next;
		rq_push(&h->rq, t, false);
	}
}

void sched_ask_resched(struct hart *h)
{
	if (h == this_hart()) {
		sched_note_resched();
		return;
	}
	__atomic_store_n(&h->resched_asked, true, __ATOMIC_RELEASE);
	plat_hart_kick(h);
}

/* Note what another hart asked for (sched_ask_resched), if it did.
 * Interrupts off. */
static void take_asked(struct hart *h)
{
	if (__atomic_load_n(&h->resched_asked, __ATOMIC_ACQUIRE) &&
	    __atomic_exchange_n(&h->resched_asked, false, __ATOMIC_ACQ_REL))
		sched_note_resched();
}

bool sched_should_preempt(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current;

	/* In a fast path (it does what was noted when it ends), or nothing
	 * noted: the word is 0 only with neither. */
	take_asked(h);
	if (h->preempt)
		return false;
	h->preempt = PREEMPT_NO_RESCHED;
	signal_drain(h);
	inbox_drain(h);
	/* Taken out of the main scheduler: unpinned threads must go. */
	if (!sched_in_scheduler(h->id) && !(cur->flags & (THREAD_PINNED | THREAD_IDLE)))
		return true;
	return rq_best(&h->rq) < cur->priority;
}

enum lm_err sched_hart_join(uint32_t hart)
{
	if (hart >= hart_count)
		return LM_ERR_NOENT;
	if (__atomic_load_n(&harts[hart].dedicated, __ATOMIC_ACQUIRE))
		return LM_ERR_BUSY;
	__atomic_fetch_or(&sched_harts, 1ull << hart, __ATOMIC_SEQ_CST);
	plat_hart_kick(&harts[hart]);
	return LM_OK;
}

enum lm_err sched_hart_leave(uint32_t hart)
{
	uint64_t old, bit;
	bool irq;

	if (hart >= hart_count)
		return LM_ERR_NOENT;
	bit = 1ull << hart;
	old = __atomic_load_n(&sched_harts, __ATOMIC_RELAXED);
	do {
		if (!(old & bit))
			return LM_OK;
		if (old == bit)
			return LM_ERR_BUSY; /* the last one: someone must schedule */
	} while (!__atomic_compare_exchange_n(&sched_harts, &old, old & ~bit, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	/* Make it look at its threads now, and send them elsewhere. */
	rq_want_full_pick(&harts[hart].rq);
	irq = plat_irq_save(); /* the hart sched_ask_resched compares with stays ours */
	sched_ask_resched(&harts[hart]);
	plat_irq_restore(irq);
	return LM_OK;
}

/* Take the first unpinned thread of the highest priority waiting in rq
 * (runnext first within its priority), or NULL. Pinned threads are
 * skipped over, so the scan is as long as the pinned ones queued before
 * it. */
static struct thread *rq_take_unpinned(struct runqueue *rq)
{
	struct thread *rn = rq_runnext(rq);
	bool rn_free = rq->runnext & RUNNEXT_MOVABLE;

	for (unsigned p = 0; p < PRIO_COUNT; p++) {
		struct thread *prev = NULL, *t;

		if (rn_free && rn->priority == p)
			return rq_take_runnext(rq, rn);
		if (!(rq->nonempty & (1u << p)))
			continue;
		for (t = rq->q[p].head; t && (t->flags & THREAD_PINNED); t = t->next)
			prev = t;
		if (!t)
			continue;
		if (prev)
			prev->next = t->next;
		else
			rq->q[p].head = t->next;
		if (rq->q[p].tail == t)
			rq->q[p].tail = prev;
		if (!rq->q[p].head)
			rq->nonempty &= ~(1u << p);
		__atomic_store_n(&rq->count, rq->count - 1, __ATOMIC_RELAXED);
		__atomic_store_n(&rq->unpinned, rq->unpinned - 1, __ATOMIC_RELAXED);
		return t;
	}
	return NULL;
}

/* Harts with nothing to do asked this one for work: give each a movable
 * thread while there are any. */
static void serve_steals(struct hart *h)
{
	uint64_t want;

	if (!__atomic_load_n(&h->rq.steal_wanted, __ATOMIC_RELAXED))
		return;
	want = __atomic_exchange_n(&h->rq.steal_wanted, 0, __ATOMIC_ACQUIRE);
	for (; want && rq_movable(&h->rq); want &= want - 1) {
		struct hart *thief = &harts[__builtin_ctzll(want)];
		struct thread *t;

		/* A hart that found work since it asked keeps to it: the
		 * thread would only wait there behind it. */
		if (thief == h || !sched_in_scheduler(thief->id) ||
		    __atomic_load_n(&thief->current_priority, __ATOMIC_RELAXED) != PRIO_IDLE)
			continue;
		t = rq_take_unpinned(&h->rq);
		if (!t)
			break;
		t->hart = thief->id;
		inbox_push(thief, t);
		plat_hart_kick(thief);
	}
}

void sched_kicked(void)
{
	struct hart *h = this_hart();

	take_asked(h);
	if (h->preempt & PREEMPT_COUNT_MASK) {
		/* A fast path was interrupted: it does this when it ends. */
		sched_note_resched();
		return;
	}
	signal_drain(h);
	inbox_drain(h);
	serve_steals(h);
}

/* Nothing to do here: ask the busy member hart with the most movable
 * threads waiting for one (once; it answers when it next schedules or,
 * in the kernel, at once, from the kick's interrupt). */
static void ask_for_work(struct hart *me)
{
	uint64_t mask = __atomic_load_n(&sched_harts, __ATOMIC_RELAXED), bit = 1ull << me->id;
	struct hart *victim = NULL;
	uint32_t most = 0;

	if (!(mask & bit))
		return;
	for (uint32_t i = 0; i < hart_count; i++) {
		uint32_t n = rq_movable(&harts[i].rq);

		if (i != me->id && (mask & (1ull << i)) && n > most)
			most = n, victim = &harts[i];
	}
	if (victim && !(__atomic_load_n(&victim->rq.steal_wanted, __ATOMIC_RELAXED) & bit)) {
		__atomic_fetch_or(&victim->rq.steal_wanted, bit, __ATOMIC_SEQ_CST);
		rq_want_full_pick(&victim->rq);
		plat_hart_kick(victim);
	}
}

/*
 * The thread to run after cur on this hart. A cur that stays runnable
 * (READY: yield or preemption) keeps the hart unless a thread of higher
 * priority, or for a yield of equal priority, is waiting.
 */
struct thread *sched_pick_next(uint32_t hart, struct thread *cur)
{
	struct hart *h = &harts[hart];
	struct thread *next, *leaving = NULL;
	bool member;
	unsigned best;

	/* The flag off before the looks (an exchange: they cannot come
	 * before it); whatever comes after them sets it again. */
	if (__atomic_load_n(&h->rq.full_pick, __ATOMIC_RELAXED))
		(void)__atomic_exchange_n(&h->rq.full_pick, false, __ATOMIC_SEQ_CST);
	member = sched_in_scheduler(hart);
	if (!member) /* every pick here is the full one */
		__atomic_store_n(&h->rq.full_pick, true, __ATOMIC_RELAXED);
	if (__atomic_load_n(&h->rq.sig_inbox, __ATOMIC_RELAXED))
		signal_drain(h); /* may wake cur, which then goes on */
	inbox_drain(h);
	/* A hart taken out of the main scheduler keeps only pinned threads. */
	while (!member && (next = rq_take_unpinned(&h->rq))) {
		next->next = leaving;
		leaving = next;
	}
	while ((next = leaving)) {
		leaving = next->next;
		sched_ready(next, false, NULL); /* to a member hart */
	}
	best = rq_best(&h->rq);
	if (cur->state == THREAD_READY && !(cur->flags & THREAD_IDLE) &&
	    (member || (cur->flags & THREAD_PINNED)) &&
	    (best > cur->priority ||
	     (best == cur->priority && (cur->flags & THREAD_REQUEUE_HEAD))))
		next = cur;
	else
		next = rq_next(&h->rq);
	serve_steals(h);
	if (!next) {
		/* Idle, or a yield with nothing else to run; but a movable
		 * thread on a hart that left the main scheduler must go. */
		if (cur->state == THREAD_READY &&
		    (member || (cur->flags & (THREAD_PINNED | THREAD_IDLE))))
			return cur;
		next = h->idle;
	}
	return next;
}

/*
 * Requeue or free prev, the thread that ran before on this hart (the
 * switch protocol above; a WAITING prev is left as it is). Work noted is
 * left noted: a waker that saw the priority of the thread now starting
 * may have asked for it after the inbox was last drained, and the kick's
 * interrupt, once interrupts are back on, must then find it noted.
 *
 * finish_here does the common cases with no call (so that a yield's
 * resume makes none that returns, and saves no register: sched_resume);
 * finish_full does every case, out of line.
 */

/* A preempted prev goes back to the front of its queue, once. */
static inline __attribute__((always_inline)) bool take_requeue_head(struct thread *prev)
{
	bool head = prev->flags & THREAD_REQUEUE_HEAD;

	if (head)
		prev->flags &= ~THREAD_REQUEUE_HEAD;
	return head;
}

static __attribute__((noinline)) void finish_full(struct thread *prev)
{
	struct hart *h = this_hart();

	switch (prev->state) {
	case THREAD_READY:
		if (!(prev->flags & THREAD_IDLE))
			ready(prev, take_requeue_head(prev), NULL); /* elsewhere if it must move */
		/* A hart whose threads give way to each other may never go
		 * idle: let the platform look at its I/O now and then. */
		plat_switched(h->id, h->switches);
		break;
	case THREAD_DEAD:
		sched_count_live(h, -1);
		if (!(prev->flags & THREAD_STATIC) && signal_release(prev))
			stack_give(h, prev->stack_base, prev->stack_pages);
		break;
	default:
		break;
	}
}

/* finish's cases that make no call: prev READY stays on this hart
 * (ready_here) and the platform has nothing to do, or prev DEAD gives its
 * page to the hart's cache (or is left to the drain of a signal inbox it
 * is on). false, having done nothing, for the others. */
static inline __attribute__((always_inline)) bool finish_here(struct hart *h,
							      struct thread *prev)
{
	switch (prev->state) {
	case THREAD_READY:
		if (prev->flags & THREAD_IDLE)
			return !plat_switched_calls(h->switches);
		if (!ready_stays(h, prev) || plat_switched_calls(h->switches))
			return false;
		ready_here(h, prev, take_requeue_head(prev), NULL);
		return true;
	case THREAD_DEAD:
		if ((prev->flags & THREAD_STATIC) || !stack_cache_takes(h, prev->stack_pages))
			return false;
		sched_count_live(h, -1);
		if (signal_release(prev))
			stack_cache_put(h, prev->stack_base);
		return true;
	default:
		return true;
	}
}

static inline __attribute__((always_inline)) void finish(struct thread *prev)
{
	if (!finish_here(this_hart(), prev))
		finish_full(prev);
}

void sched_finish(struct thread *prev)
{
	finish(prev);
}

static inline void set_current(struct hart *h, struct thread *t);

/*
 * sched_pick_next's common case, inline in every switch: on a hart of the
 * main scheduler with nothing posted to it and no hart asking it for
 * work (its full_pick flag clear), a thread blocks or ends, or yields to
 * a thread of its priority; the next thread is then runnext or the first
 * of the queues. NULL: not that case, or nothing to run (the full pick
 * decides).
 */
static inline __attribute__((always_inline)) struct thread *pick_common(struct hart *h, struct thread *cur)
{
	struct runqueue *rq = &h->rq;

	/* What other harts may have left here, and whether this hart is in
	 * the main scheduler, in one test (rq_want_full_pick). Relaxed: what
	 * they left is read only by the full pick, after its exchange of the
	 * flag; and a relaxed load lets the compiler keep what the caller
	 * just stored in cur (its state, tested below) in a register. */
	if (__atomic_load_n(&rq->full_pick, __ATOMIC_RELAXED))
		return NULL;
	if (cur->state == THREAD_READY &&
	    ((cur->flags & (THREAD_IDLE | THREAD_REQUEUE_HEAD)) || rq_best(rq) > cur->priority))
		return NULL;
	return rq_next(rq);
}

/* The pick beyond pick_common's case: the next thread after cur, or NULL
 * if cur goes on (a yield or a preemption with nothing more urgent ready,
 * or a wait whose bits came meanwhile). */
static inline __attribute__((always_inline)) struct thread *pick_full(struct hart *h,
								      struct thread *cur)
{
	struct thread *next = sched_pick_next(h->id, cur);

	if (next == cur) {
		cur->state = THREAD_RUNNING;
		cur->flags &= ~THREAD_REQUEUE_HEAD;
		return NULL;
	}
	/* (A thread in this hart's queues or runnext has its hart field
	 * naming this hart already: whoever queued it here set it.) */
	next->hart = h->id;
	return next;
}

static inline __attribute__((always_inline)) void make_current(struct hart *h,
							       struct thread *next)
{
	next->state = THREAD_RUNNING;
	set_current(h, next);
}

/*
 * The next thread after cur on this hart, made current; NULL if cur goes on.
 * The caller then resumes the thread returned. (A wait takes the same
 * three steps one by one, so that it makes no call that returns:
 * wait_block.)
 */
static inline __attribute__((always_inline)) struct thread *switch_begin(struct hart *h,
									 struct thread *cur)
{
	struct thread *next = pick_common(h, cur);

	if (__builtin_expect(!next, 0) && !(next = pick_full(h, cur)))
		return NULL;
	make_current(h, next);
	return next;
}

/* The switch's preemption count, taken or dropped with interrupts off by
 * code that looks for work itself (the hosted runtime keeps no count). */
static void switch_count(struct hart *h, int delta)
{
#ifndef LM_HOSTED
	h->preempt += (uint32_t)delta;
#else
	(void)h;
	(void)delta;
#endif
}

/*
 * Interrupts at a switch. A thread may switch with interrupts on (the fast
 * paths: preemption off is enough) or off (the idle loop, preemption from
 * an interrupt's exit, callers that had them off). It notes which in its
 * irqs_on as it switches out, and it resumes with them so: the thread that
 * switches to it, on, sets the flag first, and only if it differs from its
 * own. So the common switch, between two threads that had them on, never
 * touches the flag, and the side resumed never looks at it. An interrupt
 * that comes between the flag set and the switch finds preemption off (the
 * switch's count), and only notes its work. (The hosted runtime has no
 * interrupts: nothing to set.)
 */
static inline __attribute__((always_inline)) void switch_irqs(bool on, const struct thread *next)
{
#ifndef LM_HOSTED
	if (__builtin_expect(next->irqs_on != on, 0))
		plat_irq_set(next->irqs_on);
#else
	(void)on;
	(void)next;
#endif
}

/* A yield's switch: cur, READY, gives up its hart if another thread should
 * run. Inline, and it resumes the next thread with a jump (arch/context.h
 * says why). */
static inline __attribute__((always_inline)) void reschedule(struct thread *cur)
{
	struct hart *h = this_hart();
	bool on = plat_irqs_on();
	struct thread *next = switch_begin(h, cur), *prev;

	if (!next)
		return;
	cur->irqs_on = on;
	switch_irqs(on, next);
	prev = ctx_switch_inline(&cur->saved_rsp, next->saved_rsp, cur);
	if (prev->state == THREAD_WAITING) /* a waiter is left as it is */
		return;
	finish(prev);
}

void sched_reschedule(struct thread *cur)
{
	reschedule(cur);
}

/*
 * thread_wait, here so that the pick is inline in it.
 *
 * No wake-up is lost: only this hart delivers our bits, and it does so
 * either before we look at them here (we find them), or at our switch
 * (sched_pick_next drains the signal inbox first, and a signal then makes
 * us READY again: we go on), or after we are switched out (it finds us
 * waiting and wakes us). Nothing runs on this hart in between: preemption
 * is off, and interrupt handlers only post. The waker clears our wait
 * mask (signal_set).
 *
 * A wait that blocks keeps nothing in registers across its switch: it
 * ends in ctx_wait_switch, whose frame saves its caller's registers, and
 * resumes in sched_wait_resume, which returns to thread_wait's caller
 * what the wait got. So neither the wait nor its resume saves registers
 * of its own (a switch inside a function that went on after it would
 * save them twice: once in the function's prologue, once in the frame).
 * Each step below is a tail call of the next, none keeps a value across
 * a call, and the mask the resume needs is kept in the thread (wait_for;
 * the thread that resumes it sets its interrupt flag: switch_irqs).
 */
static uint64_t wait_block_full(struct thread *cur);

/* The wait is over with got: preemption back on (sched.h). */
static inline __attribute__((always_inline)) uint64_t wait_done(uint64_t got)
{
	return sched_preempt_on_return(got);
}

/* Switch from cur, which blocks in a wait, to next (made current). */
static inline __attribute__((always_inline)) uint64_t wait_switch(struct hart *h,
								  struct thread *cur,
								  struct thread *next)
{
	make_current(h, next);
	switch_irqs(cur->irqs_on, next);
	return ctx_wait_switch(&cur->saved_rsp, next->saved_rsp, cur);
}

/* cur, with none of mask's bits, blocks until one comes. */
static inline __attribute__((always_inline)) uint64_t wait_block(struct thread *cur,
								 uint64_t mask)
{
	struct hart *h = this_hart();
	struct thread *next;

	if (!mask) /* waits for nothing: returns at once */
		return wait_done(0);
	cur->wait_mask = mask;
	cur->wait_for = mask;
	cur->irqs_on = plat_irqs_on_noted();
	cur->state = THREAD_WAITING;
	next = pick_common(h, cur);
	if (__builtin_expect(!next, 0))
		return wait_block_full(cur);
	return wait_switch(h, cur, next);
}

/* Take the bits of mask that came, or block for them. fold: take in
 * those other harts posted first (only a wait that its own switch found
 * signalled does: wait_block_full; a wait as it starts, and one resumed,
 * leave them to the drain of the inbox they are on). */
static inline __attribute__((always_inline)) uint64_t wait_take(struct thread *cur,
								uint64_t mask, bool fold)
{
	uint64_t got;

	if (fold)
		signal_fold(cur);
	got = cur->events & mask;
	if (__builtin_expect(!got, 0))
		return wait_block(cur, mask);
	cur->events &= ~got;
	return wait_done(got);
}

/* The wait's block beyond the common pick; if a signal came meanwhile
 * (the full pick delivers what was posted), cur goes on. */
static __attribute__((noinline)) uint64_t wait_block_full(struct thread *cur)
{
	struct hart *h = this_hart();
	struct thread *next = pick_full(h, cur);

	if (!next)
		return wait_take(cur, cur->wait_for, true);
	return wait_switch(h, cur, next);
}

/* A wait does not look at the bits other harts posted before it takes
 * its own: if it has none of mask's, its switch drains the signal inbox
 * it is on (the post set the hart's full_pick, so pick_common declines)
 * and goes on if they are the ones (wait_block_full); if it has some, the
 * posted ones wait for its next wait, as if they had come a moment
 * later. */
SCHED_FAST uint64_t sched_thread_wait(uint64_t mask)
{
	sched_preempt_off();
	return wait_take(this_thread(), mask, false);
}

/* A waiter resumed in any case but the common one: prev is not a waiter,
 * to requeue or free first (a waiter is left as it is), or cur came back
 * without the bits it waits for, and blocks again. Out of line, and out
 * of the fast paths' page. */
static __attribute__((noinline)) uint64_t wait_resume_full(struct thread *prev)
{
	struct thread *cur = this_thread();

	if (prev->state != THREAD_WAITING)
		sched_finish(prev);
	return wait_take(cur, cur->wait_for, false);
}

SCHED_FAST uint64_t sched_wait_resume(struct thread *prev)
{
	struct thread *cur = this_thread();
	uint64_t got = cur->events & cur->wait_for;

	if (__builtin_expect(prev->state != THREAD_WAITING || !got, 0))
		return wait_resume_full(prev);
	cur->events &= ~got;
	return wait_done(got);
}

/*
 * thread_yield, here so that the pick is inline in it. Like a wait, it
 * ends in a tail call of its switch, ctx_yield_switch, whose frame saves
 * its caller's registers, and resumes in sched_resume, which returns
 * to thread_yield's caller: neither side saves registers of its own.
 */
static inline __attribute__((always_inline)) void yield_switch(struct hart *h, struct thread *cur,
								 struct thread *next, bool on)
{
	make_current(h, next);
	cur->irqs_on = on;
	switch_irqs(on, next);
	ctx_yield_switch(&cur->saved_rsp, next->saved_rsp, cur);
}

/* The yield beyond the common pick (out of line, as the wait's). */
static __attribute__((noinline)) void yield_full(struct thread *cur, bool on)
{
	struct hart *h = this_hart();
	struct thread *next = pick_full(h, cur);

	if (!next) {
		sched_preempt_on_return(0);
		return;
	}
	yield_switch(h, cur, next, on);
}

SCHED_FAST void sched_thread_yield(void)
{
	struct thread *cur = this_thread(), *next;
	struct hart *h;
	bool on;

	sched_preempt_off();
	cur->state = THREAD_READY;
	h = this_hart();
	on = plat_irqs_on_noted();
	next = pick_common(h, cur);
	if (__builtin_expect(!next, 0)) {
		yield_full(cur, on);
		return;
	}
	yield_switch(h, cur, next, on);
}

/* finish's other cases, and preemption on. */
static __attribute__((noinline)) void resume_full(struct thread *prev)
{
	finish_full(prev);
	sched_preempt_on();
}

/* One function for both ends, so that the fast paths' page holds one
 * copy of finish. Its common case makes no call that returns. */
SCHED_FAST void sched_resume(struct thread *prev)
{
	if (__builtin_expect(!finish_here(this_hart(), prev), 0)) {
		resume_full(prev);
		return;
	}
	sched_preempt_on_return(0);
}

void sched_preempt(struct thread *cur, uint64_t saved_rsp)
{
	struct hart *h = this_hart();
	struct thread *next;

	cur->saved_rsp = saved_rsp;
	cur->state = THREAD_READY;
	cur->flags |= THREAD_REQUEUE_HEAD;
	switch_count(h, 1);
	next = switch_begin(h, cur);
	if (!next) {
		switch_count(h, -1);
		return;
	}
	cur->irqs_on = false; /* its resume stub has them off, as here */
	switch_irqs(false, next);
	ctx_jump(next->saved_rsp, cur);
}

/* An exit's switch from cur to next (made current): nothing of cur is
 * saved. */
static inline __attribute__((always_inline)) void exit_switch(struct hart *h, struct thread *cur,
								struct thread *next)
{
	make_current(h, next);
	switch_irqs(plat_irqs_on(), next);
	ctx_jump(next->saved_rsp, cur);
}

/* The exit beyond the common pick (out of line, as the wait's). A dead
 * thread is never picked again: there is always another (at least the
 * idle thread). */
static __attribute__((noinline)) void exit_full(struct thread *cur)
{
	struct hart *h = this_hart();

	exit_switch(h, cur, pick_full(h, cur));
}

/* Like a wait, an exit makes no call that returns on its common path, so
 * that it saves no register: each step is a jump to the next. */
SCHED_FAST void sched_exit(struct thread *cur)
{
	struct hart *h = this_hart();
	struct thread *next;

	cur->state = THREAD_DEAD;
	next = pick_common(h, cur);
	if (__builtin_expect(!next, 0)) {
		exit_full(cur);
		return;
	}
	exit_switch(h, cur, next);
}

void sched_finish_preempted(struct thread *prev)
{
	struct hart *h = this_hart();

	sched_finish(prev);
	/* Interrupts are off until the thread's own flags come back: work an
	 * interrupt noted meanwhile is asked for again, to come after. */
	switch_count(h, -1);
	if (!h->preempt) /* count 0, work noted */
		plat_hart_kick(h);
}

#ifndef LM_HOSTED
uint64_t sched_preempt_resched_return(uint64_t v)
{
	sched_preempt_resched();
	return v;
}

void sched_preempt_resched(void)
{
	struct hart *h;
	struct thread *cur = this_thread();
	bool irq = plat_irq_save();

	h = this_hart();
	if (h->in_irq) {
		/* An interrupt handler's own fast path: its exit does it. */
	} else if (!irq) {
		plat_hart_kick(h); /* when they are back on */
	} else {
		/* What a kick deferred meanwhile (harts asking for work too),
		 * then what an interrupt's exit would have done. */
		sched_kicked();
		if (sched_should_preempt()) {
			cur->state = THREAD_READY;
			cur->flags |= THREAD_REQUEUE_HEAD;
			switch_count(h, 1);
			sched_reschedule(cur);
			switch_count(this_hart(), -1);
		}
	}
	plat_irq_restore(irq);
}
#endif

/* A thread just made ready (queued on hart w->hart with w->priority), more
 * urgent than us: if it is on this hart and we are a thread (not an
 * interrupt handler), let it run now. Preemption off: the hart stays ours. */
void sched_yield_to_urgent(const struct woken *w)
{
	struct thread *cur = this_thread();
	struct hart *h = this_hart();

	if (w->hart == h->wake_id) { /* here, and not in an interrupt handler */
		cur->state = THREAD_READY;
		cur->flags |= THREAD_REQUEUE_HEAD;
		sched_reschedule(cur);
	}
}

/* ---- harts ---- */

void sched_init_hart(uint32_t hart, struct thread *boot, struct thread *idle)
{
	struct hart *h = &harts[hart];

	h->wake_id = hart;
	h->idle = idle;
	idle->flags |= THREAD_IDLE;
	idle->priority = PRIO_IDLE;
	idle->state = THREAD_RUNNING;
	idle->hart = hart;
	if (boot != idle) {
		boot->hart = hart;
		boot->state = THREAD_RUNNING;
	}
	sched_set_current(h, boot);
}

static inline void set_current(struct hart *h, struct thread *t)
{
	__atomic_store_n(&h->switches, h->switches + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&h->current_priority, t->priority, __ATOMIC_RELAXED);
	__atomic_store_n(&h->current_id, t->id, __ATOMIC_RELAXED);
	__atomic_store_n(&h->current, t, __ATOMIC_RELAXED);
}

void sched_set_current(struct hart *h, struct thread *t)
{
	set_current(h, t);
}

bool sched_hart_has_work(void)
{
	struct hart *h = this_hart();

	return __atomic_load_n(&h->rq.nonempty, __ATOMIC_RELAXED) || h->rq.runnext ||
	       __atomic_load_n(&h->rq.inbox, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&h->rq.sig_inbox, __ATOMIC_SEQ_CST);
}

/* One turn of the idle loop: run whatever is ready here (returning when
 * this hart has nothing left to do), else ask a busy hart for work and
 * wait for an interrupt or a kick. */
void sched_idle_step(void)
{
	struct thread *self = this_thread();
	struct hart *h = this_hart();
	uint64_t bit = 1ull << h->id;
	bool irq = plat_irq_save();

	serve_steals(h);
	if (sched_hart_has_work()) {
		self->state = THREAD_READY;
		switch_count(h, 1);
		sched_reschedule(self);
		switch_count(h, -1);
	} else {
		/* Say we are idle before the last look: a waker either sees
		 * the bit and kicks us, or queued its thread before we look. */
		__atomic_fetch_or(&idle_harts, bit, __ATOMIC_SEQ_CST);
		if (!sched_hart_has_work()) {
			ask_for_work(h);
			plat_idle_wait();
		}
		__atomic_fetch_and(&idle_harts, ~bit, __ATOMIC_RELEASE);
	}
	plat_irq_restore(irq);
}

__attribute__((noreturn)) void sched_run_idle(void)
{
	plat_irq_save();
	for (;;)
		sched_idle_step();
}

/* ---- counts ---- */

uint64_t sched_live_threads(void)
{
	int64_t sum = 0;

	for (uint32_t i = 0; i < HART_MAX; i++)
		sum += __atomic_load_n(&harts[i].live, __ATOMIC_RELAXED);
	return (uint64_t)sum;
}
