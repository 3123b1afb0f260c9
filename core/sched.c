/*
 * The scheduler: run queues, making threads ready, choosing the next one,
 * switching, and the harts of the main scheduler. Events are in
 * core/events.c, the birth and death of threads in core/thread.c.
 *
 * Switch protocol. A thread gives up its hart by setting its own state and
 * calling sched_reschedule() with interrupts off. The thread that runs next
 * calls sched_finish(prev) first thing: only then, with prev's registers
 * saved and its stack no longer in use, is prev put back in a queue
 * (READY), let go of (WAITING: its lock is released, so a wake-up cannot run
 * it on another hart before it is saved) or freed (DEAD). Every resume path
 * (ctx_switch's return, a new thread's start, a preempted thread's resume
 * stub) calls it.
 *
 * Locking order: thread lock, then run-queue lock. Both with interrupts off.
 */
#include <stddef.h>

#include "arch/x86_64/context.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_internal.h"
#include "core/thread.h"

/* ---- run queues (caller holds rq->lock) ---- */

static void rq_push(struct runqueue *rq, struct thread *t, bool head)
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
	rq->count++;
	if (!(t->flags & THREAD_PINNED))
		__atomic_store_n(&rq->unpinned, rq->unpinned + 1, __ATOMIC_RELAXED);
}

static struct thread *rq_pop(struct runqueue *rq)
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
	rq->count--;
	if (!(t->flags & THREAD_PINNED))
		__atomic_store_n(&rq->unpinned, rq->unpinned - 1, __ATOMIC_RELAXED);
	return t;
}

/* Highest priority waiting in rq (PRIO_IDLE if none). */
static unsigned rq_best(const struct runqueue *rq)
{
	uint32_t ne = __atomic_load_n(&rq->nonempty, __ATOMIC_RELAXED);

	return ne ? (unsigned)__builtin_ctz(ne) : PRIO_IDLE;
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

bool sched_in_scheduler(uint32_t hart)
{
	return __atomic_load_n(&sched_harts, __ATOMIC_RELAXED) & (1ull << hart);
}

/* Work waits behind a busy hart: wake an idle hart of the main scheduler,
 * which will take it (steal_work). */
static void kick_idle_hart(void)
{
	uint64_t idle;

	if (hart_count == 1)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the push before the look */
	idle = __atomic_load_n(&idle_harts, __ATOMIC_RELAXED) &
	       __atomic_load_n(&sched_harts, __ATOMIC_RELAXED) & ~(1ull << this_hart()->id);

	if (idle)
		plat_hart_kick(&harts[__builtin_ctzll(idle)]);
}

void sched_ready(struct thread *t, bool head, struct woken *w)
{
	struct hart *h;
	bool irq = plat_irq_save(), pinned;
	unsigned prio;

	/* A thread free to move never waits on a hart outside the main
	 * scheduler (one that left it, or a dedicated one). */
	if (!(t->flags & THREAD_PINNED) && !sched_in_scheduler(t->hart))
		t->hart = pick_sched_hart();
	h = &harts[t->hart];
	/* Read t before it is queued: from then on another hart may run it,
	 * even to its end. */
	prio = t->priority;
	pinned = t->flags & THREAD_PINNED;
	if (w)
		*w = (struct woken){.hart = t->hart, .priority = prio};

	spin_lock(&h->rq.lock);
	t->state = THREAD_READY;
	rq_push(&h->rq, t, head);
	spin_unlock(&h->rq.lock);

	/* A higher priority than what runs there: that hart must switch. */
	if (prio < __atomic_load_n(&h->current_priority, __ATOMIC_RELAXED)) {
		__atomic_store_n(&h->need_resched, true, __ATOMIC_RELEASE);
		if (h != this_hart())
			plat_hart_kick(h);
	} else if (!pinned) {
		kick_idle_hart();
	}
	plat_irq_restore(irq);
}

void sched_make_ready(struct thread *t, bool head)
{
	sched_ready(t, head, NULL);
}

bool sched_should_preempt(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current;

	if (!__atomic_load_n(&h->need_resched, __ATOMIC_ACQUIRE))
		return false;
	h->need_resched = false;
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
	__atomic_store_n(&harts[hart].need_resched, true, __ATOMIC_RELEASE);
	if (&harts[hart] != this_hart())
		plat_hart_kick(&harts[hart]);
	return LM_OK;
}

/* Take the first unpinned thread of the highest priority waiting in rq,
 * or NULL. Caller holds rq->lock. Pinned threads are skipped over, so the
 * scan is as long as the pinned ones queued before it. */
static struct thread *rq_take_unpinned(struct runqueue *rq)
{
	for (uint32_t ne = rq->nonempty; ne; ne &= ne - 1) {
		unsigned p = (unsigned)__builtin_ctz(ne);
		struct thread *prev = NULL, *t = rq->q[p].head;

		while (t && (t->flags & THREAD_PINNED))
			prev = t, t = t->next;
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
		rq->count--;
		__atomic_store_n(&rq->unpinned, rq->unpinned - 1, __ATOMIC_RELAXED);
		return t;
	}
	return NULL;
}

/* A hart of the main scheduler with nothing to run takes a thread waiting
 * on another one. Locks are tried, never waited for: a busy queue is
 * skipped rather than contended. */
static struct thread *steal_work(uint32_t me)
{
	uint64_t mask = __atomic_load_n(&sched_harts, __ATOMIC_RELAXED);
	struct thread *t = NULL;

	if (!(mask & (1ull << me)))
		return NULL;
	for (uint32_t i = 0; i < hart_count && !t; i++) {
		struct runqueue *rq = &harts[i].rq;

		if (i == me || !(mask & (1ull << i)) ||
		    !__atomic_load_n(&rq->unpinned, __ATOMIC_RELAXED) ||
		    !spin_trylock(&rq->lock))
			continue;
		t = rq_take_unpinned(rq);
		spin_unlock(&rq->lock);
	}
	return t;
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
	bool member = sched_in_scheduler(hart);
	unsigned best;

	spin_lock(&h->rq.lock);
	/* A hart taken out of the main scheduler keeps only pinned threads. */
	while (!member && (next = rq_take_unpinned(&h->rq))) {
		next->next = leaving;
		leaving = next;
	}
	best = rq_best(&h->rq);
	if (leaving) {
		spin_unlock(&h->rq.lock);
		while ((next = leaving)) {
			leaving = next->next;
			next->hart = pick_sched_hart();
			sched_make_ready(next, false);
		}
		spin_lock(&h->rq.lock);
		best = rq_best(&h->rq);
	}
	if (cur->state == THREAD_READY && !(cur->flags & THREAD_IDLE) &&
	    (member || (cur->flags & THREAD_PINNED)) &&
	    (best > cur->priority ||
	     (best == cur->priority && (cur->flags & THREAD_REQUEUE_HEAD)))) {
		spin_unlock(&h->rq.lock);
		return cur;
	}
	next = rq_pop(&h->rq);
	spin_unlock(&h->rq.lock);
	if (!next && (next = steal_work(hart)))
		next->hart = hart;
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

void sched_finish(struct thread *prev)
{
	struct hart *h = this_hart();

	h->need_resched = false;
	switch (prev->state) {
	case THREAD_READY:
		if (!(prev->flags & THREAD_IDLE)) {
			bool head = prev->flags & THREAD_REQUEUE_HEAD;
			prev->flags &= ~THREAD_REQUEUE_HEAD;
			sched_make_ready(prev, head); /* elsewhere if it must move */
		}
		break;
	case THREAD_WAITING:
		if (prev->flags & THREAD_LOCK_HELD) {
			prev->flags &= ~THREAD_LOCK_HELD;
			spin_unlock(&prev->lock);
		}
		break;
	case THREAD_DEAD:
		sched_count_live(h, -1);
		if (!(prev->flags & THREAD_STATIC))
			sched_stack_give(h, prev->stack_base, prev->stack_pages);
		break;
	default:
		break;
	}
}

/* Give up the hart; cur's state says why. Interrupts off. */
void sched_reschedule(struct thread *cur)
{
	struct hart *h = this_hart();
	struct thread *next = sched_pick_next(h->id, cur), *prev;

	if (next == cur) {
		cur->state = THREAD_RUNNING;
		cur->flags &= ~THREAD_REQUEUE_HEAD;
		return;
	}
	next->state = THREAD_RUNNING;
	next->hart = h->id;
	sched_set_current(h, next);
	prev = ctx_switch(&cur->saved_rsp, next->saved_rsp, cur);
	sched_finish(prev);
}

void thread_yield(void)
{
	struct thread *cur = thread_current();
	bool irq = plat_irq_save();

	cur->state = THREAD_READY;
	sched_reschedule(cur);
	plat_irq_restore(irq);
}

/* ---- harts ---- */

void sched_init_hart(uint32_t hart, struct thread *boot, struct thread *idle)
{
	struct hart *h = &harts[hart];

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

void sched_set_current(struct hart *h, struct thread *t)
{
	__atomic_store_n(&h->current_priority, t->priority, __ATOMIC_RELAXED);
	__atomic_store_n(&h->current_id, t->id, __ATOMIC_RELAXED);
	__atomic_store_n(&h->current, t, __ATOMIC_RELAXED);
}

/* Is work waiting on another hart that this one may take? */
static bool steal_possible(uint32_t me)
{
	uint64_t mask = __atomic_load_n(&sched_harts, __ATOMIC_RELAXED);

	if (!(mask & (1ull << me)))
		return false;
	for (uint32_t i = 0; i < hart_count; i++)
		if (i != me && (mask & (1ull << i)) &&
		    __atomic_load_n(&harts[i].rq.unpinned, __ATOMIC_SEQ_CST))
			return true;
	return false;
}

bool sched_hart_has_work(void)
{
	struct hart *h = this_hart();

	return __atomic_load_n(&h->rq.nonempty, __ATOMIC_SEQ_CST) || steal_possible(h->id);
}

/* One turn of the idle loop: run whatever is ready here or can be taken
 * from another hart (returning when this hart has nothing left to do),
 * else wait for an interrupt or a kick. */
void sched_idle_step(void)
{
	struct thread *self = thread_current();
	struct hart *h = this_hart();
	uint64_t bit = 1ull << h->id;
	bool irq = plat_irq_save();

	if (sched_hart_has_work()) {
		self->state = THREAD_READY;
		sched_reschedule(self);
	} else {
		/* Say we are idle before the last look: a waker either sees
		 * the bit and kicks us, or queued its thread before we look. */
		__atomic_fetch_or(&idle_harts, bit, __ATOMIC_SEQ_CST);
		if (!sched_hart_has_work())
			plat_idle_wait();
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

