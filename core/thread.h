/*
 * Threads: one 4 KiB page each by default.
 *
 * The page holds the stack and, at its top, the thread's control block
 * (struct thread, core/sched.h); an unmapped guard page lies below, so an
 * overflow faults instead of corrupting a neighbour. A switch saves the
 * callee-saved registers, the stack pointer, the resume address and the
 * FPU/SSE control words (arch/context.h: ctx_switch and its kin);
 * nothing else, and no privilege change.
 *
 * Waiting: every thread has a word of event bits. thread_signal sets bits
 * and wakes the thread if it waits for any of them; thread_wait(mask)
 * returns and clears the set bits of mask, parking until one is set.
 * Park/unpark is the special case of one reserved bit (THREAD_EV_PARK): an
 * unpark before the park is remembered, as with any event. Waits with a
 * deadline, and sleeps, are core/timer.h's.
 *
 * Lifetime: a thread ends by returning from its entry or calling
 * thread_exit; the scheduler frees its page after switching away (a thread
 * cannot free the stack it runs on). Pointers to a thread are valid until it
 * ends; signalling an ended thread through one is a caller bug, so only
 * code that knows the thread is alive holds one.
 *
 * Handles: doors name threads by handle (core/handle.h), which is checked
 * before use: a thread gets one if its spawn asks (opts.handle) or it asks
 * for its own (thread_current_handle), and gives it back as it ends. A
 * wrong or stale handle gets an error, never a fault.
 */
#ifndef CORE_THREAD_H
#define CORE_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "core/sched.h"
#include "core/signal.h"

#define THREAD_EV_PARK (1ull << 63) /* reserved for park/unpark */
#define THREAD_EV_TIMER (1ull << 62) /* reserved: a sleep's deadline passed */
#define THREAD_EV_SERVICE (1ull << 61) /* reserved: a system service's wake-up */
#define THREAD_EV_USER_MASK (~(THREAD_EV_PARK | THREAD_EV_TIMER | THREAD_EV_SERVICE))

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
	uint64_t *handle;      /* not NULL: give the thread a handle, stored
				* here before the thread can run (and end) */
	bool untrusted;        /* the kernel side of an untrusted process: must
				* be pinned to a hart set apart for them, where
				* nothing else may be (core/hart.h) */
};

enum lm_err thread_spawn(const struct thread_opts *opts, struct thread **out);
/* Give a hart to one new thread, which runs there alone: the hart leaves the
 * main scheduler and no other thread may be pinned to it until that thread
 * ends (then the hart idles, outside the main scheduler). opts->hart is
 * ignored. LM_ERR_NOENT: no such hart; LM_ERR_BUSY: already dedicated, or the
 * last hart of the main scheduler. */
enum lm_err thread_spawn_dedicated(uint32_t hart, const struct thread_opts *opts,
				   struct thread **out);
__attribute__((noreturn)) void thread_exit(void);
void thread_yield(void);
struct thread *thread_current(void);

static inline void thread_park(void);
static inline void thread_unpark(struct thread *t);
static inline void thread_signal(struct thread *t, uint64_t bits);
/* thread_signal through a handle: LM_ERR_INVAL if it never was one,
 * LM_ERR_NOENT if its thread has ended. Safe with any value. */
enum lm_err thread_signal_handle(uint64_t handle, uint64_t bits);
/* The calling thread's handle, made on first use (LM_ERR_NOMEM, FULL). */
enum lm_err thread_current_handle(uint64_t *out);
static inline uint64_t thread_wait(uint64_t mask);
/* The bits of mask that are set, cleared; never waits. */
uint64_t thread_take(uint64_t mask);

/* A named thread, as thread_list saw it. */
struct thread_info {
	uint64_t id;
	char name[THREAD_NAME_MAX];
	uint8_t state;     /* enum thread_state */
	uint8_t priority;
	bool pinned;
	uint32_t hart;     /* where it runs, or the queue it joins next */
};

/* The threads alive now that were spawned with a name (programs, drivers,
 * the system's own): up to max of them copied into out, oldest first;
 * returns how many there are. Unnamed threads are not listed (a list of
 * every thread would cost every spawn and exit a shared lock); the idle
 * threads are not either. */
size_t thread_list(struct thread_info *out, size_t max);

/* A new thread's first code, entered from its first switch frame
 * (ctx_thread_entry). Never returns (not declared noreturn: sched_exit). */
void thread_start(struct thread *prev);

/* Does the one-page stack at base, in a hart's stack cache, hold a control
 * block as every thread leaves it (the fields a spawn on such a page does
 * not write again, core/thread.c)? For tests. */
bool thread_block_kept(uintptr_t base);

/* ---- inline: the waits, and thread_signal's same-hart fast path ---- */

/* sched_thread_wait (core/sched.c) says why no wake-up is lost. */
static inline uint64_t thread_wait(uint64_t mask)
{
	return sched_thread_wait(mask);
}

static inline void thread_park(void)
{
	sched_thread_wait(THREAD_EV_PARK);
}

/* The rest of a same-hart wake-up: t goes to the queues (core/thread.c). */
void thread_wake_queued(struct thread *t);

/* A thread of this hart gets its bits at once, and, if it waits for one,
 * runnext or the queues; any other, and any signal from an interrupt
 * handler, has them posted to its hart (core/signal.c). Whether t is ours
 * is decided by t->hart, which only t's own hart changes: if it names this
 * one, it stays so while preemption is off. One compare says both: the
 * hart's wake_id is its id, or no hart's while a handler runs. */
static inline __attribute__((always_inline)) void thread_signal(struct thread *t, uint64_t bits)
{
	struct hart *h;

	sched_preempt_off();
	h = this_hart();
	if (__builtin_expect(__atomic_load_n(&t->hart, __ATOMIC_RELAXED) == h->wake_id, 1)) {
		if (signal_set(t, bits) && !sched_wake_runnext(h, t))
			thread_wake_queued(t);
	} else {
		signal_post(t, bits);
	}
	sched_preempt_on();
}

static inline void thread_unpark(struct thread *t)
{
	thread_signal(t, THREAD_EV_PARK);
}

#endif
