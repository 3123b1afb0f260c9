/*
 * The scheduler: run queues, switching, and the life of a thread.
 *
 * Switch protocol. A thread gives up its hart by setting its own state and
 * calling reschedule() with interrupts off. The thread that runs next calls
 * sched_finish(prev) first thing: only then, with prev's registers saved and
 * its stack no longer in use, is prev put back in a queue (READY), let go of
 * (WAITING: its lock is released, so a wake-up cannot run it on another hart
 * before it is saved) or freed (DEAD). Every resume path (ctx_switch's
 * return, a new thread's start, a preempted thread's resume stub) calls it.
 *
 * Locking order: thread lock, then run-queue lock. Both with interrupts off.
 */
#include <stddef.h>

#include "arch/x86_64/context.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "lib/fmt.h"
#include "lib/string.h"

/* Thread ids are handed to harts ID_BATCH at a time, and each hart counts
 * the threads started and ended on it: spawning and ending a thread then
 * touch no word shared between harts (each locked operation saved is a few
 * nanoseconds of a spawn that costs a few dozen). */
#define ID_BATCH 1024
static uint64_t next_id = 1;

uint64_t sched_live_threads(void)
{
	int64_t sum = 0;

	for (uint32_t i = 0; i < HART_MAX; i++)
		sum += __atomic_load_n(&harts[i].live, __ATOMIC_RELAXED);
	return (uint64_t)sum;
}

/* Count a thread in or out on this hart. Interrupts off (the count is the
 * hart's own; a store, not a locked add). */
static void count_live(struct hart *h, int64_t delta)
{
	__atomic_store_n(&h->live, h->live + delta, __ATOMIC_RELAXED);
}

/*
 * Each hart keeps up to HART_STACK_CACHE freed one-page stacks of its own
 * (linked through their first word), so that a spawn after an exit on the
 * same hart takes no lock and makes no call to the platform's allocator.
 * Only the hart itself touches its cache, with interrupts off.
 */
#define HART_STACK_CACHE 32

static uintptr_t stack_take(unsigned pages)
{
	uintptr_t base = 0;

	if (pages == 1) {
		bool irq = plat_irq_save();
		struct hart *h = this_hart();

		base = h->stack_cache;
		if (base) {
			h->stack_cache = *(uintptr_t *)base;
			__atomic_store_n(&h->stack_cached, h->stack_cached - 1, __ATOMIC_RELAXED);
		}
		plat_irq_restore(irq);
	}
	return base ? base : plat_stack_alloc(pages);
}

/* Interrupts off, on the hart where the thread ended. */
static void stack_give(struct hart *h, uintptr_t base, unsigned pages)
{
	if (pages == 1 && h->stack_cached < HART_STACK_CACHE) {
		*(uintptr_t *)base = h->stack_cache;
		h->stack_cache = base;
		__atomic_store_n(&h->stack_cached, h->stack_cached + 1, __ATOMIC_RELAXED);
	} else {
		plat_stack_free(base, pages);
	}
}

uint64_t sched_stacks_cached(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < HART_MAX; i++)
		n += __atomic_load_n(&harts[i].stack_cached, __ATOMIC_RELAXED);
	return n;
}

void sched_stack_cache_drain(void)
{
	bool irq = plat_irq_save();
	struct hart *h = this_hart();

	while (h->stack_cache) {
		uintptr_t base = h->stack_cache;

		h->stack_cache = *(uintptr_t *)base;
		__atomic_store_n(&h->stack_cached, h->stack_cached - 1, __ATOMIC_RELAXED);
		plat_stack_free(base, 1);
	}
	plat_irq_restore(irq);
}

static uint64_t new_thread_id(struct hart *h)
{
	if (h->id_next == h->id_end) {
		h->id_next = __atomic_fetch_add(&next_id, ID_BATCH, __ATOMIC_RELAXED);
		h->id_end = h->id_next + ID_BATCH;
	}
	return h->id_next++;
}

struct thread *thread_current(void)
{
	return this_hart()->current;
}

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

static bool in_scheduler(uint32_t hart)
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

/* Where a thread was queued and how urgent it is, read before it was
 * queued: from then on another hart may run it, even to its end, so whoever
 * queued it must not touch it again. */
struct woken {
	uint32_t hart;
	unsigned priority;
};

static void make_ready(struct thread *t, bool head, struct woken *w)
{
	struct hart *h;
	bool irq = plat_irq_save(), pinned;
	unsigned prio;

	/* A thread free to move never waits on a hart outside the main
	 * scheduler (one that left it, or a dedicated one). */
	if (!(t->flags & THREAD_PINNED) && !in_scheduler(t->hart))
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
	make_ready(t, head, NULL);
}

bool sched_should_preempt(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current;

	if (!__atomic_load_n(&h->need_resched, __ATOMIC_ACQUIRE))
		return false;
	h->need_resched = false;
	/* Taken out of the main scheduler: unpinned threads must go. */
	if (!in_scheduler(h->id) && !(cur->flags & (THREAD_PINNED | THREAD_IDLE)))
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
	bool member = in_scheduler(hart);
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
		count_live(h, -1);
		if (!(prev->flags & THREAD_STATIC))
			stack_give(h, prev->stack_base, prev->stack_pages);
		break;
	default:
		break;
	}
}

/* Give up the hart; cur's state says why. Interrupts off. */
static void reschedule(struct thread *cur)
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
	reschedule(cur);
	plat_irq_restore(irq);
}

/* ---- events ---- */

uint64_t thread_wait(uint64_t mask)
{
	struct thread *cur = thread_current();
	uint64_t got;
	bool irq;

	if (!mask)
		return 0;
	irq = plat_irq_save();
	for (;;) {
		spin_lock(&cur->lock);
		/* Under our lock, which every signaller takes too: a signal
		 * either came before (its bits are there) or comes after we
		 * are switched out and sees the mask. The bits stay atomic
		 * for the timer code, which clears its own without the lock. */
		cur->wait_mask = mask;
		got = __atomic_fetch_and(&cur->events, ~mask, __ATOMIC_RELAXED) & mask;
		if (got) {
			cur->wait_mask = 0;
			spin_unlock(&cur->lock);
			break;
		}
		cur->state = THREAD_WAITING;
		cur->flags |= THREAD_LOCK_HELD;
		reschedule(cur);
	}
	plat_irq_restore(irq);
	return got;
}

/*
 * Set bits; make t ready if it waits for one of them. Returns whether it
 * was woken, and if so fills *w. Never switches threads.
 *
 * Everything happens under t's lock, which t's own wait holds while it
 * looks at its bits: so t cannot see the bits, return from its wait and
 * end while this still touches it. After the unlock t is touched only if
 * it was waiting (it stays asleep until sched_make_ready queues it). The
 * caller must know t is alive when it calls: t waits for this signal, or
 * will tell the caller when it ends (notify).
 */
static bool signal_bits(struct thread *t, uint64_t bits, struct woken *w)
{
	bool irq = plat_irq_save(), wake = false;

	spin_lock(&t->lock);
	__atomic_fetch_or(&t->events, bits, __ATOMIC_RELAXED);
	if (t->state == THREAD_WAITING &&
	    (__atomic_load_n(&t->events, __ATOMIC_RELAXED) & t->wait_mask)) {
		t->wait_mask = 0;
		wake = true;
	}
	spin_unlock(&t->lock);
	if (wake)
		make_ready(t, false, w);
	plat_irq_restore(irq);
	return wake;
}

/* A thread just made ready (queued on hart w->hart with w->priority): if
 * it is more urgent than us, on this hart, and we are a thread (not an
 * interrupt handler), let it run now. */
static void yield_to(const struct woken *w)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current;
	bool irq;

	if (w->hart != h->id || h->in_irq || w->priority >= cur->priority)
		return;
	irq = plat_irq_save();
	cur->state = THREAD_READY;
	cur->flags |= THREAD_REQUEUE_HEAD;
	reschedule(cur);
	plat_irq_restore(irq);
}

void thread_signal(struct thread *t, uint64_t bits)
{
	struct woken w;

	if (signal_bits(t, bits, &w))
		yield_to(&w);
}

void thread_park(void)
{
	thread_wait(THREAD_EV_PARK);
}

void thread_unpark(struct thread *t)
{
	thread_signal(t, THREAD_EV_PARK);
}

/* ---- birth and death ---- */

/* Where an unpinned new thread starts: here if this hart is in the main
 * scheduler (idle harts then take work as they need it), else the first
 * hart that is. */
static uint32_t spawn_hart(void)
{
	uint64_t mask = __atomic_load_n(&sched_harts, __ATOMIC_RELAXED);
	uint32_t me = this_hart()->id;

	if (mask & (1ull << me) || !mask)
		return me;
	return (uint32_t)__builtin_ctzll(mask);
}

/* First code of every new thread (via ctx_switch's return, see context.h). */
__attribute__((noreturn)) void thread_start(struct thread *prev)
{
	struct thread *self;

	sched_finish(prev);
	self = thread_current();
	plat_irq_restore(true);
	self->entry(self->arg);
	thread_exit();
}

static enum lm_err spawn(const struct thread_opts *o, bool dedicate, struct thread **out)
{
	uint32_t pages = o->stack_pages ? o->stack_pages : 1;
	uintptr_t base;
	struct thread *t, *none = NULL;
	struct woken w;
	bool irq;

	if (!o->entry || (unsigned)o->priority >= PRIO_COUNT ||
	    (o->hart >= 0 && (uint32_t)o->hart >= hart_count))
		return LM_ERR_INVAL;
	/* Nothing else may be pinned to a dedicated hart. */
	if (o->hart >= 0 && !dedicate &&
	    __atomic_load_n(&harts[o->hart].dedicated, __ATOMIC_ACQUIRE))
		return LM_ERR_BUSY;
	base = stack_take(pages);
	if (!base)
		return LM_ERR_NOMEM;

	/* The control block sits at the top of the stack area. */
	t = (struct thread *)((base + (uintptr_t)pages * 4096 - sizeof *t) & ~(uintptr_t)63);
	memset(t, 0, sizeof *t);
	t->priority = (uint8_t)o->priority;
	t->hart = o->hart >= 0 ? (uint32_t)o->hart : spawn_hart();
	if (o->hart >= 0)
		t->flags |= THREAD_PINNED;
	t->stack_pages = pages;
	t->stack_base = base;
	t->stack_top = (uintptr_t)t;
	t->entry = o->entry;
	t->arg = o->arg;
	t->notify = o->notify;
	t->notify_bits = o->notify_bits;
	/* Unnamed threads keep an empty name (reports show their id):
	 * formatting one here would cost more than the rest of a spawn. */
	if (o->name) {
		size_t n = strnlen(o->name, THREAD_NAME_MAX - 1);
		memcpy(t->name, o->name, n);
	}
	t->saved_rsp = ctx_init_stack(t->stack_top);
	if (dedicate) {
		t->flags |= THREAD_DEDICATED;
		if (!__atomic_compare_exchange_n(&harts[t->hart].dedicated, &none, t, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			plat_stack_free(base, pages);
			return LM_ERR_BUSY;
		}
	}
	irq = plat_irq_save();
	t->id = new_thread_id(this_hart());
	count_live(this_hart(), 1);
	plat_irq_restore(irq);
	if (out)
		*out = t;

	make_ready(t, false, &w);
	yield_to(&w);
	return LM_OK;
}

enum lm_err thread_spawn(const struct thread_opts *o, struct thread **out)
{
	return spawn(o, false, out);
}

enum lm_err sched_hart_dedicate(uint32_t hart, const struct thread_opts *o,
				struct thread **out)
{
	struct thread_opts pinned = *o;
	enum lm_err err;

	if (hart >= hart_count)
		return LM_ERR_NOENT;
	if (__atomic_load_n(&harts[hart].dedicated, __ATOMIC_ACQUIRE))
		return LM_ERR_BUSY;
	err = sched_hart_leave(hart);
	if (err)
		return err;
	pinned.hart = (int)hart;
	return spawn(&pinned, true, out);
}

__attribute__((noreturn)) void thread_exit(void)
{
	struct thread *cur = thread_current();
	struct hart *h;
	struct thread *next;

	/* No switch here: this thread is about to switch for good anyway, and
	 * may be running on a trap stack (stopped after a fault). */
	if (cur->notify)
		signal_bits(cur->notify, cur->notify_bits, &(struct woken){0});
	plat_irq_save();
	h = this_hart();
	if (cur->flags & THREAD_DEDICATED)
		__atomic_store_n(&h->dedicated, NULL, __ATOMIC_RELEASE);
	cur->state = THREAD_DEAD;
	next = sched_pick_next(h->id, cur);
	next->state = THREAD_RUNNING;
	next->hart = h->id;
	sched_set_current(h, next);
	ctx_jump(next->saved_rsp, cur);
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
		reschedule(self);
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
