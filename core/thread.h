/*
 * Threads: one 4 KiB page each by default.
 *
 * The page holds the stack and, at its top, the thread's control block
 * (struct thread); an unmapped guard page lies below, so an overflow faults
 * instead of corrupting a neighbour. A switch saves the callee-saved
 * registers, the stack pointer, the resume address and the FPU/SSE control
 * words (the architecture's switch.S); nothing else, and no privilege change.
 *
 * Waiting: every thread has a word of event bits. thread_signal sets bits
 * and wakes the thread if it waits for any of them; thread_wait(mask)
 * returns and clears the set bits of mask, parking until one is set.
 * Park/unpark is the special case of one reserved bit (THREAD_EV_PARK): an
 * unpark before the park is remembered, as with any event.
 *
 * Lifetime: a thread ends by returning from its entry or calling
 * thread_exit; the scheduler frees its page after switching away (a thread
 * cannot free the stack it runs on). Pointers to a thread are valid until it
 * ends; signalling an ended thread is a caller bug.
 */
#ifndef CORE_THREAD_H
#define CORE_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "core/sched.h"
#include "arch/spinlock.h"

#define THREAD_EV_PARK (1ull << 63) /* reserved for park/unpark */
#define THREAD_EV_TIMER (1ull << 62) /* reserved: a sleep's deadline passed */
#define THREAD_EV_SERVICE (1ull << 61) /* reserved: a system service's wake-up */
#define THREAD_EV_USER_MASK (~(THREAD_EV_PARK | THREAD_EV_TIMER | THREAD_EV_SERVICE))
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
	THREAD_LOCK_HELD = 1 << 3, /* switched out holding its own lock (waiting) */
	THREAD_PINNED = 1 << 4,    /* stays on its hart: never taken by another */
	THREAD_DEDICATED = 1 << 5, /* alone on its hart (sched_hart_dedicate) */
};

/* spawn (core/thread.c) sets every field one by one: a new field needs its
 * line there. */
struct thread {
	uint64_t saved_rsp;        /* while switched out: its switch frame */
	struct thread *next;       /* run queue link */
	uint64_t events;           /* pending event bits (under lock) */
	uint64_t wait_mask;        /* bits waited for; 0 when not waiting */
	struct spinlock lock;      /* events, wait_mask, waiting (interrupts off) */
	uint8_t state;             /* enum thread_state */
	uint8_t priority;          /* enum thread_priority */
	uint16_t flags;            /* enum thread_flags */
	uint32_t hart;             /* the hart whose queue it joins */
	uint32_t stack_pages;
	uint64_t id;
	uintptr_t stack_base;      /* lowest stack address (above the guard) */
	uintptr_t stack_top;       /* highest usable stack address */
	void (*entry)(void *arg);
	void *arg;
	void *catch;               /* armed fault catcher (kernel tests), or NULL */
	uint64_t deadline;         /* sleeping until (ns), 0 = not sleeping */
	struct thread *timer_next, *timer_prev; /* sleeper list (core/timer.c) */
	uint32_t timer_hart;       /* whose sleeper list */
	struct thread *notify;     /* signalled when this thread ends */
	uint64_t notify_bits;
	char name[THREAD_NAME_MAX];
};

struct thread_opts {
	void (*entry)(void *arg);
	void *arg;
	enum thread_priority priority;
	uint32_t stack_pages; /* 0 means 1: one page, control block included */
	const char *name;     /* NULL: unnamed (reports show the id) */
	int hart;             /* -1: any hart of the main scheduler (the spawner's
			       * first); otherwise pinned to that hart */
	struct thread *notify; /* signalled with notify_bits when it ends */
	uint64_t notify_bits;
};

enum lm_err thread_spawn(const struct thread_opts *opts, struct thread **out);
__attribute__((noreturn)) void thread_exit(void);
void thread_yield(void);
struct thread *thread_current(void);

void thread_park(void);
void thread_unpark(struct thread *t);
void thread_signal(struct thread *t, uint64_t bits);
uint64_t thread_wait(uint64_t mask);
/* The bits of mask that are set, cleared; never waits. */
uint64_t thread_take(uint64_t mask);

/* Scheduler internals shared with arch/ and the platforms. */
void sched_init_hart(uint32_t hart, struct thread *boot, struct thread *idle);
void sched_finish(struct thread *prev);
struct hart;
/* Record t as the thread running on h (its own hart), interrupts off. */
void sched_set_current(struct hart *h, struct thread *t);
struct thread *sched_pick_next(uint32_t hart, struct thread *cur);
void sched_make_ready(struct thread *t, bool head);
void sched_run_idle(void) __attribute__((noreturn));
void sched_idle_step(void);
/* Has this hart something to run (in its queue or its inbox)? */
bool sched_hart_has_work(void);
/* Called on a hart that was kicked, interrupts off (the kernel's wake-up
 * interrupt): take in threads other harts made ready for it, and answer
 * harts asking for work. */
void sched_kicked(void);
/* A new thread's first code, entered from the architecture's ctx_switch. */
__attribute__((noreturn)) void thread_start(struct thread *prev);
/* Called by a platform's interrupt exit: should the current thread give way? */
bool sched_should_preempt(void);
/* Put a hart in the main scheduler, or take it out (its unpinned threads
 * move to the others; LM_ERR_BUSY for the last one). */
enum lm_err sched_hart_join(uint32_t hart);
enum lm_err sched_hart_leave(uint32_t hart);
/* Give a hart to one new thread, which runs there alone: the hart leaves the
 * main scheduler and no other thread may be pinned to it until that thread
 * ends (then the hart idles, outside the main scheduler). opts->hart is
 * ignored. LM_ERR_NOENT: no such hart; LM_ERR_BUSY: already dedicated, or the
 * last hart of the main scheduler. */
enum lm_err sched_hart_dedicate(uint32_t hart, const struct thread_opts *opts,
				struct thread **out);
/* Stats for tests and benchmarks. */
uint64_t sched_live_threads(void);
/* Give this hart's cache of freed stacks back to the platform (before
 * counting free memory). */
void sched_stack_cache_drain(void);
/* One-page stacks kept in the harts' caches (each is a page in use). */
uint64_t sched_stacks_cached(void);

#endif
