/*
 * Harts (hardware threads) and their local data.
 *
 * Every hart's GS segment base points at its struct hart. The structure
 * begins with the system table (sdk/include/lemmings/systab.h), so that a
 * program's `call *%gs:(8*N)` reaches system routine N on whichever hart it
 * runs, with no per-call lookup. Hart-local fields follow; this_hart() finds
 * the structure through its self pointer at a fixed offset.
 *
 * Invariant: fields other than the system table are touched only by the hart
 * itself, or under the lock that the field's comment names.
 */
#ifndef CORE_HART_H
#define CORE_HART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/hartlocal.h"

#define HART_SYSTAB_SLOTS 16
#define HART_MAX 64

/* The priorities of a hart's run queue, strictly ordered: a higher one
 * always runs first. */
enum thread_priority {
	PRIO_CRITICAL = 0,
	PRIO_REALTIME = 1,
	PRIO_USER = 2,
	PRIO_REGULAR = 3,
	PRIO_COUNT = 4,
	PRIO_IDLE = 4, /* the per-hart idle thread, below all four */
};

struct thread;

/*
 * A hart's ready threads: four queues, FIFO within a priority. Every
 * operation is O(1): a queue is an intrusive singly linked list with head
 * and tail, and a bitmap says which priorities are non-empty. The queues
 * are the hart's own (core/sched.c); other harts read count, unpinned and
 * runnext's movable bit, push on inbox and set bits in steal_wanted, all
 * atomically.
 */
struct runqueue {
	uint32_t nonempty;        /* bit p: queue p has threads */
	uint32_t count;           /* threads in the queues, runnext aside
				   * (rq_ready counts both) */
	uint32_t unpinned;        /* of which may move to another hart */
	struct {
		struct thread *head, *tail;
	} q[PRIO_COUNT];
	uintptr_t runnext;        /* run before the queues' threads of its
				   * priority: one woken here by a thread that
				   * may block next, or made ready here with
				   * nothing of its priority or better queued;
				   * | RUNNEXT_MOVABLE if it is not pinned
				   * (counted in neither count nor unpinned) */
	struct thread *inbox;     /* made ready by other harts, newest first */
	struct thread *sig_inbox; /* signalled by other harts or interrupts:
				   * their bits wait in remote_events (sig_next) */
	uint64_t steal_wanted;    /* bit i: hart i has nothing to do */
	bool full_pick;           /* the next pick must be the full one: one
				   * of the three above may hold something, or
				   * the hart is not in the main scheduler
				   * (rq_want_full_pick) */
};

/* The runnext thread may move (control blocks are 64-byte aligned, so the
 * low bit is free): other harts read the bit without touching the thread,
 * which may end at any moment, and its hart keeps no count for it. */
#define RUNNEXT_MOVABLE 1u

/* Have rq's hart make its next pick the full one, which looks at its
 * inboxes and its membership (core/sched.c: sched_pick_next clears the
 * flag first, then looks): after pushing on an inbox, asking for work, or
 * taking the hart out of the main scheduler. So the common pick, on the
 * hart itself, tests one byte for all of these. */
static inline void rq_want_full_pick(struct runqueue *rq)
{
	__atomic_store_n(&rq->full_pick, true, __ATOMIC_RELEASE);
}

/* Threads ready in rq, runnext included (any hart may ask): runnext is
 * not in count, so that filling and emptying the slot, the fast path of
 * every same-hart wake-up, stores one word. */
static inline uint32_t rq_ready(const struct runqueue *rq)
{
	return __atomic_load_n(&rq->count, __ATOMIC_RELAXED) +
	       (__atomic_load_n(&rq->runnext, __ATOMIC_RELAXED) != 0);
}

/* Movable threads waiting in rq, runnext included (any hart may ask). */
static inline uint32_t rq_movable(const struct runqueue *rq)
{
	return __atomic_load_n(&rq->unpinned, __ATOMIC_RELAXED) +
	       (__atomic_load_n(&rq->runnext, __ATOMIC_RELAXED) & RUNNEXT_MOVABLE);
}

struct hart {
	void *systab[HART_SYSTAB_SLOTS]; /* first: programs index it from %gs:0 */
	struct hart *self;               /* at HART_SELF_OFFSET */
	uint32_t id;                     /* 0 .. hart_count-1; 0 boots */
	uint32_t apic_id;
	struct thread *current;          /* the thread running here */
	uint32_t current_priority;       /* its priority and id, for other harts */
	uint64_t current_id;             /* (which must not read *current: it may
					  * end and be freed at any moment) */
	struct thread *idle;             /* this hart's idle thread */
	struct runqueue rq;              /* ready threads (core/sched.c) */
	void *arch;                      /* arch/ data: GDT, TSS, IST stacks */
	uint32_t in_trap;                /* nesting depth of fault handling */
	bool in_irq;                     /* running an interrupt handler */
	uint32_t wake_id;                /* id while thread code runs here,
					  * HART_IN_IRQ_ID while an interrupt
					  * handler does (hart_irq_enter): what a
					  * same-hart wake-up compares a thread's
					  * hart with, one test for both */
	bool irqs_on;                    /* set: interrupts are on in the thread
					  * running here; clear: they may be off
					  * (core/platform.h, plat_irq_save) */
	bool resched_asked;              /* another hart made work for this one
					  * that may not wait (set before it
					  * kicks; the kick takes it in:
					  * core/sched.c, sched_kicked) */
	uint32_t preempt;                /* the preemption count (> 0: no
					  * preemption and no scheduler work in
					  * interrupt handlers here: the fast
					  * paths), and PREEMPT_NO_RESCHED while
					  * no such work is noted (core/sched.h) */
	struct thread *dedicated;        /* the one thread this hart serves, or
					  * NULL (atomic; core/thread.c) */
	uint64_t switches;               /* threads made current here (the
					  * watchdog reads it, atomically) */
	int64_t live;                    /* threads started here minus ended here */
	uint64_t id_next;                /* the next thread id of this hart's batch
					  * (core/thread.c) */
	uintptr_t stack_cache;           /* freed one-page stacks (core/stack.c) */
	uint32_t stack_cached;
} __attribute__((aligned(64)));         /* no cache line shared by two harts */

#define HART_SELF_OFFSET (HART_SYSTAB_SLOTS * 8)
#define HART_PREEMPT_OFFSET offsetof(struct hart, preempt)
#define HART_IRQS_ON_OFFSET offsetof(struct hart, irqs_on)

/* hart.preempt: the count in the low bits; the top bit set while no work
 * is noted, so that the word is 0 exactly when the count is and work is
 * noted (Linux folds its need-resched flag in the same way): the end of a
 * fast path takes one away and tests for zero, nothing more. */
#define PREEMPT_NO_RESCHED (1u << 31)
#define PREEMPT_COUNT_MASK (PREEMPT_NO_RESCHED - 1)

extern struct hart harts[HART_MAX];
extern uint32_t hart_count;

/* Bit i set: hart i is in the main scheduler (new threads go there, and it
 * takes work from the others). Harts outside stay idle or run the one thread
 * dedicated to them. */
extern uint64_t sched_harts;
/* Bit i set: hart i is set apart for untrusted processes (kernel/process.c):
 * out of the main scheduler, and only threads spawned untrusted may be
 * pinned there (core/thread.c), which may be pinned nowhere else. */
extern uint64_t untrusted_harts;
/* Bit i set: hart i is idle (waiting for an interrupt or a kick). */
extern uint64_t idle_harts;

static inline struct hart *this_hart(void)
{
	return hartlocal_load(struct hart *, HART_SELF_OFFSET);
}

/* The thread running on this hart, in one load through %gs. Written as
 * this_hart()->current it would be two, and a thread preempted between them
 * and moved to another hart would get the thread now running on the first. */
static inline struct thread *this_thread(void)
{
	return hartlocal_load(struct thread *, offsetof(struct hart, current));
}

static inline uint32_t hart_id(void)
{
	return hartlocal_load(uint32_t, HART_SELF_OFFSET + 8);
}

/* No thread's hart: wake_id while an interrupt handler runs. */
#define HART_IN_IRQ_ID UINT32_MAX

/* An interrupt handler (or the hosted runtime's stand-in for one) starts
 * on h, this hart, interrupts off: returns whether one ran already, for
 * hart_irq_leave, which says it ended. */
static inline bool hart_irq_enter(struct hart *h)
{
	bool was = h->in_irq;

	h->in_irq = true;
	h->wake_id = HART_IN_IRQ_ID;
	return was;
}

static inline void hart_irq_leave(struct hart *h, bool was)
{
	h->in_irq = was;
	h->wake_id = was ? HART_IN_IRQ_ID : h->id;
}

_Static_assert(offsetof(struct hart, self) == HART_SELF_OFFSET, "hart layout");
_Static_assert(offsetof(struct hart, id) == HART_SELF_OFFSET + 8, "hart layout");

#endif
