/*
 * The scheduler: thread control blocks, the run queues of the harts
 * (core/hart.h), choosing the next thread and switching to it.
 *
 * Threads are created, ended, and wait and signal in core/thread.c, which
 * calls down into this module; this module never calls up into that one.
 * Stacks come from core/stack.c. Switching is arch's (ctx_*, arch/context.h).
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "arch/spinlock.h"
#include "core/hart.h"

#define THREAD_NAME_MAX 24

enum thread_state {
	THREAD_READY,   /* in a run queue, or about to be put back in one */
	THREAD_RUNNING, /* on a hart */
	THREAD_WAITING, /* parked in thread_wait */
	THREAD_DEAD,    /* ended; its page is freed after the switch */
};

enum thread_flags {
	THREAD_IDLE = 1 << 0,      /* a hart's idle thread: never queued */
	THREAD_STATIC = 1 << 1,    /* stack not from the allocator (boot) */
	THREAD_REQUEUE_HEAD = 1 << 2, /* preempted: back to the front of its queue */
	THREAD_ZOMBIE = 1 << 3,    /* ended while on a signal inbox: the hart
				    * that takes it off frees it (core/signal.c) */
	THREAD_PINNED = 1 << 4,    /* stays on its hart: never taken by another */
	THREAD_DEDICATED = 1 << 5, /* alone on its hart (thread_spawn_dedicated) */
};

/* A thread's control block, at the top of its stack page. spawn
 * (core/thread.c) sets every field one by one: a new field needs its line
 * there. */
struct thread {
	uint64_t saved_rsp;        /* while switched out: its switch frame */
	struct thread *next;       /* run queue link */
	uint64_t events;           /* pending event bits (its hart's own) */
	uint64_t wait_mask;        /* bits waited for; 0 when not waiting */
	uint64_t wait_for;         /* the mask of the last wait that blocked, for
				    * its resume (sched_wait_resume) */
	uint64_t remote_events;    /* bits from other harts and interrupts, not
				    * yet delivered (atomic; core/signal.c) */
	struct thread *sig_next;   /* signal inbox link, while sig_queued */
	uint32_t sig_queued;       /* on a hart's signal inbox (atomic) */
	uint8_t state;             /* enum thread_state */
	uint8_t priority;          /* enum thread_priority */
	uint16_t flags;            /* enum thread_flags */
	uint32_t hart;             /* the hart whose queue it joins */
	uint32_t stack_pages;
	uint64_t id;
	uint64_t handle;           /* its door handle (core/handle.h); 0: none */
	uintptr_t stack_base;      /* lowest stack address (above the guard) */
	uintptr_t stack_top;       /* highest usable stack address */
	void (*entry)(void *arg);
	void *arg;
	void *catch;               /* armed fault catcher (kernel/fault.h), or NULL */
	uint64_t deadline;         /* sleeping until (ns), 0 = not sleeping */
	struct thread *timer_next, *timer_prev; /* sleeper list (core/timer.c) */
	uint32_t timer_hart;       /* whose sleeper list */
	bool irqs_on;              /* interrupts were on when it switched out:
				    * it resumes so (core/sched.c, switch_irqs) */
	struct thread *notify;     /* signalled when this thread ends */
	uint64_t notify_bits;
	struct thread *named_next, *named_prev; /* named threads' list (core/thread.c) */
	char name[THREAD_NAME_MAX];
};

/* Where a thread was queued and how urgent it is, read before it was
 * queued: from then on another hart may run it, even to its end, so whoever
 * queued it must not touch it again. */
struct woken {
	uint32_t hart;
	unsigned priority;
};

/* The fast paths' functions (park, unpark, wait, signal, yield, spawn,
 * start, exit) and the context switch share one page of their own in the
 * kernel (arch/x86_64/kernel.ld): under QEMU's emulator a jump or call
 * between pages costs a lookup that one within a page does not. Their rare
 * cases are out of line, elsewhere, to keep them within it. The
 * hosted runtime keeps the compiler's layout: natively, grouping them
 * made the event ping-pong 2 to 3 cycles slower (83 -> 86 of 84). */
#ifdef LM_KERNEL
#define SCHED_FAST __attribute__((section(".text.hot.sched")))
#else
#define SCHED_FAST
#endif

/*
 * ---- preemption off: the fast paths ----
 *
 * A thread, its events and the run queue it is on belong to one hart, and
 * only code on that hart changes them. Thread code does so with preemption
 * off (sched_preempt_off: one increment of a field of the hart's record,
 * not a locked instruction, and interrupts stay on): it cannot be moved
 * to another hart meanwhile, and an interrupt handler that comes then does
 * no scheduler work there, only notes it (sched_note_resched, the
 * inboxes); sched_preempt_on does what was noted. The count and the note
 * share one word (hart.preempt), so that the end of a fast path is one
 * decrement and a test for zero. The hosted runtime has no interrupts and
 * no preemption, so all of these are empty there.
 *
 * Every switch holds one count, which the thread resumed drops.
 */
#ifdef LM_HOSTED
static inline void sched_preempt_off(void)
{
}

static inline void sched_preempt_on(void)
{
}

static inline void sched_note_resched(void)
{
}

static inline uint64_t sched_preempt_on_return(uint64_t v)
{
	return v;
}
#else
/* The count fell to zero with work noted: do it (core/sched.c). */
void sched_preempt_resched(void);

static inline void sched_preempt_off(void)
{
	hartlocal_inc32(HART_PREEMPT_OFFSET);
}

/* Drop one count: did it fall to zero with work noted? (The caller then
 * does the work: sched_preempt_on, and the end of a wait, core/sched.c.) */
static inline bool sched_preempt_drop(void)
{
	return hartlocal_dec32(HART_PREEMPT_OFFSET);
}

/* Note scheduler work for this hart: the end of the fast path running
 * here, or the exit of the interrupt, does it (any context on this hart;
 * another hart asks with sched_ask_resched). */
static inline void sched_note_resched(void)
{
	hartlocal_and32(HART_PREEMPT_OFFSET, ~PREEMPT_NO_RESCHED);
}

static inline void sched_preempt_on(void)
{
	if (sched_preempt_drop())
		sched_preempt_resched();
}

/* sched_preempt_resched, then return v (a tail call's end). */
__attribute__((noinline)) uint64_t sched_preempt_resched_return(uint64_t v);

/* sched_preempt_on as a function's last step, returning v: the deferred
 * work is tail-called, so that a function that makes no other call (a
 * wait's end, a spawn's) keeps nothing across a call and saves no
 * register. */
static inline __attribute__((always_inline)) uint64_t sched_preempt_on_return(uint64_t v)
{
	if (sched_preempt_drop())
		return sched_preempt_resched_return(v);
	return v;
}
#endif

/* ---- making threads ready, and giving way to them ---- */

/* Queue t (at the front of its priority if head); fills *w if w.
 * Preemption or interrupts off. */
void sched_ready(struct thread *t, bool head, struct woken *w);

/* Is hart in the main scheduler? */
static inline bool sched_in_scheduler(uint32_t hart)
{
	return __atomic_load_n(&sched_harts, __ATOMIC_RELAXED) & (1ull << hart);
}

/* Highest priority waiting in rq's queues, runnext aside (PRIO_IDLE if
 * none): one count of trailing zeros, no branch. */
static inline unsigned rq_best_queued(const struct runqueue *rq)
{
	return (unsigned)__builtin_ctz(__atomic_load_n(&rq->nonempty, __ATOMIC_RELAXED) |
				       1u << PRIO_IDLE);
}

/* Put t, ready, in rq's empty runnext slot (its hart's, preemption or
 * interrupts off). */
static inline void rq_set_runnext(struct runqueue *rq, struct thread *t, bool pinned)
{
	__atomic_store_n(&rq->runnext, (uintptr_t)t | (pinned ? 0 : RUNNEXT_MOVABLE),
			 __ATOMIC_RELAXED);
}

/*
 * Go's runnext, the fast path of every same-hart wake-up: t, of hart h
 * (this one; t waiting, or new), woken or spawned by the thread running
 * here (not by an interrupt handler), takes h's runnext slot if it is
 * free, t would not preempt that thread, no thread of t's priority or
 * better is queued (so it never overtakes one), and t may stay here
 * (pinned, or h is in the main scheduler). Then, if the waker blocks
 * next, t runs in its place at once. Returns whether t took the slot (it
 * is then READY, and there is nothing to yield to). Preemption or
 * interrupts off.
 */
static inline bool sched_wake_runnext(struct hart *h, struct thread *t)
{
	struct runqueue *rq = &h->rq;
	unsigned p = t->priority;
	bool pinned = t->flags & THREAD_PINNED;

	/* Neither the slot nor the queues hold a thread, the common case, in
	 * one test; else the slot must be free and the queues' best worse. */
	if ((rq->runnext | rq->nonempty) && (rq->runnext || rq_best_queued(rq) <= p))
		return false;
	if (p < h->current_priority || !(pinned || sched_in_scheduler(h->id)))
		return false;
	t->state = THREAD_READY;
	rq_set_runnext(rq, t, pinned);
	return true;
}
/* Have hart h (this one or another) look at its threads soon: noted here,
 * or asked for and kicked there (only a hart itself changes its
 * hart.preempt). Preemption or interrupts off. */
void sched_ask_resched(struct hart *h);

/* Let a thread just queued run now if it is more urgent and here.
 * Preemption off. Most wake-ups stop at the first test, inline. */
void sched_yield_to_urgent(const struct woken *w);

static inline void sched_yield_to(const struct woken *w)
{
	if (w->priority < this_thread()->priority)
		sched_yield_to_urgent(w);
}

/* ---- the switch protocol (core/sched.c says it whole) ---- */

/* Give up the hart; cur's state says why. Preemption or interrupts off. */
void sched_reschedule(struct thread *cur);
/* thread_wait and thread_yield (core/thread.h), here so that the pick is
 * inline in them; each ends in a tail call of its switch (arch). */
uint64_t sched_thread_wait(uint64_t mask);
/* Where a thread that blocked in a wait resumes (arch: ctx_wait_entry
 * jumps here): it returns to thread_wait's caller what the wait got. */
uint64_t sched_wait_resume(struct thread *prev);
void sched_thread_yield(void);
/* The end of a switch on the side resumed, where a thread that yielded
 * resumes (arch: ctx_yield_entry jumps here; it returns to thread_yield's
 * caller) and a new thread starts (thread_start calls it): prev finished
 * as sched_finish does, then preemption on (a new thread's interrupts are
 * on: irqs_on, set at spawn, asked its switcher for them). */
void sched_resume(struct thread *prev);
/* The interrupt exit's switch: cur (interrupted, its state saved as a
 * switch frame at saved_rsp) gives way if something more urgent is ready.
 * Returns if cur goes on; otherwise resumes another thread. Interrupts off. */
void sched_preempt(struct thread *cur, uint64_t saved_rsp);
/* cur has ended: switch away for good. Preemption off. Never returns
 * (not declared noreturn, so that calls of it are jumps: ctx_jump). */
void sched_exit(struct thread *cur);
/* The first thing every resumed context does (ctx_switch's return, a new
 * thread's start, a preempted thread's resume stub): requeue or free the
 * thread that ran before on this hart. */
void sched_finish(struct thread *prev);
/* A preempted thread's resume stub, interrupts off: sched_finish, and the
 * switch's preemption count dropped. */
void sched_finish_preempted(struct thread *prev);
/* Should the current thread give way? (an interrupt's exit asks) */
bool sched_should_preempt(void);

/* ---- harts ---- */

void sched_init_hart(uint32_t hart, struct thread *boot, struct thread *idle);
/* Record t as the thread running on h (its own hart), interrupts off. */
void sched_set_current(struct hart *h, struct thread *t);
/* The thread to run after cur on this hart (cur itself if it stays). */
struct thread *sched_pick_next(uint32_t hart, struct thread *cur);
void sched_run_idle(void) __attribute__((noreturn));
void sched_idle_step(void);
/* Has this hart something to run (in its queue or its inbox)? */
bool sched_hart_has_work(void);
/* Called on a hart that was kicked, interrupts off (the kernel's wake-up
 * interrupt): take in threads other harts made ready for it, and answer
 * harts asking for work. */
void sched_kicked(void);
/* Put a hart in the main scheduler, or take it out (its unpinned threads
 * move to the others; LM_ERR_BUSY for the last one). */
enum lm_err sched_hart_join(uint32_t hart);
enum lm_err sched_hart_leave(uint32_t hart);

/* ---- counts ---- */

/* Count a thread in (1) or out (-1) on this hart, preemption or
 * interrupts off: the hart's own count, a store, not a locked add. */
static inline void sched_count_live(struct hart *h, int64_t delta)
{
	__atomic_store_n(&h->live, h->live + delta, __ATOMIC_RELAXED);
}
/* Threads alive in the whole system. */
uint64_t sched_live_threads(void);

#endif
