/*
 * Threads (see thread.h): their birth and death (ids, spawn, exit,
 * dedicating a hart to a new one), and their events (wait and signal, and
 * park and unpark built on them; docs/scheduling.md says why no wake-up is
 * lost). The scheduler below (core/sched.c) queues and switches them;
 * core/handle.c keeps the handles that doors name threads by.
 *
 * Locking: none of its own. A thread's event bits, wait mask and waiting
 * state belong to its hart, and change only there, with preemption off
 * (core/sched.h): plain loads and stores, not locked instructions (each of
 * which costs more than the rest of a wait). A signal from another hart
 * goes through core/signal.c. A signal through a handle holds the
 * handle's slot lock around it (handle.c).
 */
#include <stddef.h>

#include "arch/context.h"
#include "arch/upcalls.h"
#include "core/handle.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/signal.h"
#include "core/stack.h"
#include "core/thread.h"
#include "lib/string.h"

/* Thread ids are handed to harts ID_BATCH at a time, and each hart counts
 * the threads started and ended on it: spawning and ending a thread then
 * touch no word shared between harts (each locked operation saved is a few
 * nanoseconds of a spawn that costs a few dozen). Batches start at
 * multiples of ID_BATCH (the first at ID_BATCH: no thread is 0), so a
 * hart's next id says alone whether its batch is used up. */
#define ID_BATCH 1024
static uint64_t next_id = ID_BATCH;

static uint64_t new_thread_id(struct hart *h)
{
	if (!(h->id_next % ID_BATCH)) /* used up, or none yet */
		h->id_next = __atomic_fetch_add(&next_id, ID_BATCH, __ATOMIC_RELAXED);
	return h->id_next++;
}

/* ---- events ---- */

/* Take the bits of mask that are set in cur's events, with those other
 * harts posted. Preemption off. */
static inline uint64_t take_bits(struct thread *cur, uint64_t mask)
{
	uint64_t got;

	signal_fold(cur);
	got = cur->events & mask;
	cur->events &= ~got;
	return got;
}

uint64_t thread_take(uint64_t mask)
{
	uint64_t got;

	sched_preempt_off();
	got = take_bits(thread_current(), mask);
	sched_preempt_on();
	return got;
}

/*
 * Set bits; make t ready if it waits for one of them. Returns whether it
 * was queued here (not put in runnext), and if so fills *w. Never switches
 * threads. Preemption off.
 *
 * A thread of this hart gets its bits at once; any other, and any signal
 * from an interrupt handler, has them posted to its hart (core/signal.c).
 * Whether t is ours is decided by t->hart, which only t's own hart
 * changes: if it names this one, it stays so while preemption is off. The
 * caller must know t is alive when it calls: t waits for this signal, or
 * will tell the caller when it ends (notify).
 */
static bool signal_send(struct thread *t, uint64_t bits, struct woken *w)
{
	struct hart *h = this_hart();

	if (__atomic_load_n(&t->hart, __ATOMIC_RELAXED) == h->wake_id) /* and not in an interrupt */
		return signal_deliver(h, t, bits, w);
	signal_post(t, bits);
	return false;
}

/* A same-hart wake-up that runnext could not take: queue t, and let it run
 * now if it is more urgent. Out of line: the common wake-up goes to
 * runnext (thread_signal, inline in core/thread.h). */
__attribute__((noinline)) void thread_wake_queued(struct thread *t)
{
	struct woken w;

	sched_ready(t, false, &w);
	sched_yield_to(&w);
}

/*
 * The handle is checked, and its thread held, before anything of the thread
 * is read: its slot's lock keeps the thread from finishing thread_exit (and
 * its page from being freed) until the signal is done. The yield, which may
 * switch, comes after the lock is let go.
 */
enum lm_err thread_signal_handle(uint64_t handle, uint64_t bits)
{
	struct handle_ref ref;
	struct woken w;
	enum lm_err err;
	bool woke;

	sched_preempt_off();
	err = handle_lock(handle, &ref);
	if (!err) {
		woke = signal_send(ref.thread, bits, &w);
		handle_unlock(&ref);
		if (woke)
			sched_yield_to(&w);
	}
	sched_preempt_on();
	return err;
}

/* ---- the named threads ---- */

/* Threads spawned with a name, oldest first, for thread_list: linked at
 * spawn and unlinked in thread_exit, while the thread still runs, so a
 * thread in the list is alive and its fields readable under the lock.
 * Unnamed threads (the million-thread kind) never take the lock. */
static struct spinlock named_lock = SPINLOCK_INIT;
static struct thread *named_head, *named_tail;

static void named_link(struct thread *t)
{
	bool irq = plat_irq_save();

	spin_lock(&named_lock);
	t->named_next = NULL;
	t->named_prev = named_tail;
	if (named_tail)
		named_tail->named_next = t;
	else
		named_head = t;
	named_tail = t;
	spin_unlock(&named_lock);
	plat_irq_restore(irq);
}

static void named_unlink(struct thread *t)
{
	bool irq = plat_irq_save();

	spin_lock(&named_lock);
	if (!t->named_prev && named_head != t) { /* never linked (not spawned) */
		spin_unlock(&named_lock);
		plat_irq_restore(irq);
		return;
	}
	if (t->named_prev)
		t->named_prev->named_next = t->named_next;
	else
		named_head = t->named_next;
	if (t->named_next)
		t->named_next->named_prev = t->named_prev;
	else
		named_tail = t->named_prev;
	spin_unlock(&named_lock);
	plat_irq_restore(irq);
}

size_t thread_list(struct thread_info *out, size_t max)
{
	bool irq = plat_irq_save();
	size_t n = 0;

	spin_lock(&named_lock);
	for (struct thread *t = named_head; t; t = t->named_next, n++) {
		if (n >= max)
			continue;
		out[n].id = t->id;
		memcpy(out[n].name, t->name, THREAD_NAME_MAX);
		out[n].state = __atomic_load_n(&t->state, __ATOMIC_RELAXED);
		out[n].priority = t->priority;
		out[n].pinned = (t->flags & THREAD_PINNED) != 0;
		out[n].hart = __atomic_load_n(&t->hart, __ATOMIC_RELAXED);
	}
	spin_unlock(&named_lock);
	plat_irq_restore(irq);
	return n;
}

/* ---- birth and death ---- */

struct thread *thread_current(void)
{
	return this_thread();
}

/* Only the thread itself gives itself a handle (or its spawner, before it
 * runs), and only it takes the handle back: cur->handle needs no lock. */
enum lm_err thread_current_handle(uint64_t *out)
{
	struct thread *cur = this_thread();
	enum lm_err err = cur->handle ? LM_OK : handle_attach(cur);

	if (!err)
		*out = cur->handle;
	return err;
}

static void thread_end(void);

/* First code of every new thread (via ctx_thread_entry, from its first
 * switch frame; see context.h). Its end is a jump to thread_end. */
SCHED_FAST void thread_start(struct thread *prev)
{
	struct thread *self;

	sched_resume(prev);
	self = thread_current();
	self->entry(self->arg);
	thread_end();
}

/* Check a spawn's options: LM_OK, or why not. */
static inline enum lm_err spawn_check(const struct thread_opts *o, bool dedicate)
{
	if (!o->entry || (unsigned)o->priority >= PRIO_COUNT)
		return LM_ERR_INVAL;
	if (o->hart >= 0 || o->untrusted) {
		if (o->hart >= 0 && (uint32_t)o->hart >= hart_count)
			return LM_ERR_INVAL;
		/* Untrusted threads run on the harts set apart for them, and
		 * only they do. */
		if (o->untrusted !=
		    (o->hart >= 0 &&
		     (__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE) >> o->hart & 1)))
			return o->untrusted ? LM_ERR_INVAL : LM_ERR_BUSY;
		/* Nothing else may be pinned to a dedicated hart. */
		if (o->hart >= 0 && !dedicate &&
		    __atomic_load_n(&harts[o->hart].dedicated, __ATOMIC_ACQUIRE))
			return LM_ERR_BUSY;
	}
	return LM_OK;
}

/* The control block of the stack of pages at base: at its top. */
static inline struct thread *block_of(uintptr_t base, uint32_t pages)
{
	return (struct thread *)((base + (uintptr_t)pages * 4096 - sizeof(struct thread)) &
				 ~(uintptr_t)63);
}

/*
 * The control block at the top of the stack area at base, every field
 * written once (a memset of the block first costs more, a string store's
 * start-up, than the rest of these stores). The links (next, sig_next,
 * named_*, timer_* and timer_hart) are written when the thread is put on
 * a list, not here, and a wait's own (wait_for) when it blocks; the name,
 * the handle and the id by the spawn's later steps.
 *
 * A page from the hart's stack cache (cached) held a one-page thread that
 * ended, with its control block where this one goes, and every thread
 * ends with the fields below the test as it began (as a slab allocator
 * keeps its objects constructed): those are written only on a page that
 * is not such a one. A new field that a thread leaves as it found it may
 * join them; thread_block_kept checks them (core/sched_test.c). The
 * state, DEAD there, is set READY as the thread is queued.
 */
static inline __attribute__((always_inline)) struct thread *
spawn_block(const struct thread_opts *o, struct hart *h, uintptr_t base, uint32_t pages,
	    bool cached)
{
	struct thread *t = block_of(base, pages);

	if (!cached) {
		t->state = THREAD_READY;
		t->stack_pages = pages;        /* the page's own */
		t->stack_base = base;
		t->stack_top = (uintptr_t)t;
		t->wait_mask = 0;              /* 0 unless it waits */
		t->sig_queued = 0;             /* 0 unless on an inbox, where its
						* page is not freed (signal_release) */
		t->deadline = 0;               /* 0 unless in a timed wait */
		t->handle = 0;                 /* 0 from handle_detach on */
		t->name[0] = 0;                /* emptied as it leaves the named list */
	}
	t->events = 0;
	t->remote_events = 0;
	t->priority = (uint8_t)o->priority;
	t->flags = o->hart >= 0 ? THREAD_PINNED : 0;
	/* Unpinned: here; sched_ready sends it to a member hart if this one
	 * is not in the main scheduler, or to an idle one if this one is busy. */
	t->hart = o->hart >= 0 ? (uint32_t)o->hart : h->id;
	t->entry = o->entry;
	t->arg = o->arg;
	t->catch = NULL;
	t->irqs_on = true; /* it starts with interrupts on */
	t->notify = o->notify;
	t->notify_bits = o->notify_bits;
	t->saved_rsp = ctx_init_stack((uintptr_t)t);
	return t;
}

bool thread_block_kept(uintptr_t base)
{
	struct thread *t = block_of(base, 1);

	return t->state == THREAD_DEAD && t->stack_pages == 1 && t->stack_base == base &&
	       t->stack_top == (uintptr_t)t && !t->wait_mask && !t->sig_queued && !t->deadline &&
	       !t->handle && !t->name[0];
}

/* A spawn queued its thread (not in runnext): the rest of the wake-up, and
 * preemption back on. */
static __attribute__((noinline)) enum lm_err spawn_queued(struct thread *t)
{
	thread_wake_queued(t);
	sched_preempt_on();
	return LM_OK;
}

/*
 * The last steps of every spawn, for t on this hart h: its id, the count,
 * the named list if named, *out, and the queue. Like a wake-up: here, in
 * runnext, if it may run here and would not preempt us (a spawner that
 * waits for it next hands it the hart, as Go's does), else where
 * sched_ready puts it. Every call below is a tail call, so that the
 * common spawn makes none that returns.
 */
static inline __attribute__((always_inline)) enum lm_err spawn_end(struct thread *t, struct hart *h,
								    bool named, struct thread **out)
{
	/* Runnext first, while the stores of spawn_block are still known
	 * (nothing can run t until preemption is back on); the queues last,
	 * as from them another hart may run t at once. */
	bool runnext = t->hart == h->wake_id && sched_wake_runnext(h, t); /* or in an interrupt */

	t->id = new_thread_id(h);
	sched_count_live(h, 1);
	if (named)
		named_link(t);
	if (out)
		*out = t;
	if (!runnext)
		return spawn_queued(t);
	return (enum lm_err)sched_preempt_on_return(LM_OK);
}

/* Every spawn but the common one: a stack of more than a page or not in
 * the hart's cache, a name, a handle, a hart to dedicate. Preemption off. */
static __attribute__((noinline)) enum lm_err spawn_full(const struct thread_opts *o, bool dedicate,
							  struct thread **out)
{
	uint32_t pages = o->stack_pages ? o->stack_pages : 1;
	struct hart *h = this_hart();
	uintptr_t base = stack_take(h, pages);
	struct thread *t, *none = NULL;
	enum lm_err err;

	if (!base) {
		sched_preempt_on();
		return LM_ERR_NOMEM;
	}
	t = spawn_block(o, h, base, pages, false);
	/* Unnamed threads keep an empty name (reports show their id):
	 * formatting one here would cost more than the rest of a spawn. */
	if (o->name) {
		size_t n = strnlen(o->name, THREAD_NAME_MAX - 1);

		memcpy(t->name, o->name, n);
		t->name[n] = 0;
	}
	/* A handle only when asked for: threads the kernel spawns for itself
	 * pay one test here and one in thread_exit. */
	if (o->handle) {
		err = handle_attach(t);
		if (err) {
			plat_stack_free(base, pages);
			sched_preempt_on();
			return err;
		}
	}
	if (dedicate) {
		t->flags |= THREAD_DEDICATED;
		if (!__atomic_compare_exchange_n(&harts[t->hart].dedicated, &none, t, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			if (t->handle)
				handle_detach(t);
			plat_stack_free(base, pages);
			sched_preempt_on();
			return LM_ERR_BUSY;
		}
	}
	/* Before it is queued: from then on it may run, and end. */
	if (o->handle)
		*o->handle = t->handle;
	return spawn_end(t, h, t->name[0] != 0, out);
}

/*
 * A spawn. From the check on, preemption is off: the stack cache, the ids
 * and the counts used are this hart's, and the new thread is queued here
 * before anything can move us. The common spawn (one page from the
 * hart's stack cache, no name, no handle) is inline here and makes no
 * call that returns, so it saves no register (spawn_end); every other
 * goes to spawn_full.
 */
static inline __attribute__((always_inline)) enum lm_err spawn(const struct thread_opts *o,
							       bool dedicate, struct thread **out)
{
	enum lm_err err = spawn_check(o, dedicate);
	struct hart *h;
	uintptr_t base;

	if (err)
		return err;
	sched_preempt_off();
	h = this_hart();
	if (__builtin_expect(o->stack_pages > 1 || !h->stack_cache || o->name || o->handle ||
			     dedicate, 0))
		return spawn_full(o, dedicate, out);
	base = stack_cache_take(h);
	return spawn_end(spawn_block(o, h, base, 1, true), h, false, out);
}

enum lm_err thread_spawn_dedicated(uint32_t hart, const struct thread_opts *o,
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

/*
 * Every thread's end: thread_exit's, and thread_start's when the entry
 * returns. It never returns, but none of thread_end, sched_exit and
 * ctx_jump is declared noreturn, so that each calls the next with a jump
 * (GCC keeps a call of a noreturn function a call, with the caller's
 * frame): the common end saves no register and pushes no return address.
 * The end of a thread with a handle, a name, a thread to notify or a
 * dedicated hart makes calls that return: thread_end_full.
 */
static __attribute__((noinline)) void thread_end_full(struct thread *cur)
{
	/* From here on the handle names no one; a signaller that holds it now
	 * is waited for, so it cannot touch this thread once it is freed. */
	if (cur->handle)
		handle_detach(cur);
	/* The switch's preemption count, which the next thread drops. */
	sched_preempt_off();
	/* No switch here: this thread is about to switch for good anyway, and
	 * may be running on a trap stack (stopped after a fault). */
	/* Out of the named list before anyone hears of the end. */
	if (cur->name[0]) {
		named_unlink(cur);
		cur->name[0] = 0; /* as a page in the stack cache keeps it */
	}
	if (cur->notify)
		signal_send(cur->notify, cur->notify_bits, &(struct woken){0});
	if (cur->flags & THREAD_DEDICATED)
		__atomic_store_n(&this_hart()->dedicated, NULL, __ATOMIC_RELEASE);
	sched_exit(cur);
}

static SCHED_FAST __attribute__((noinline)) void thread_end(void)
{
	struct thread *cur = this_thread();

	if (__builtin_expect(cur->handle || cur->name[0] || cur->notify ||
			     (cur->flags & THREAD_DEDICATED), 0)) {
		thread_end_full(cur);
		return;
	}
	sched_preempt_off();
	sched_exit(cur);
}

__attribute__((noreturn)) void thread_exit(void)
{
	thread_end();
	__builtin_unreachable();
}

SCHED_FAST void thread_yield(void)
{
	sched_thread_yield();
}

/* Last of the fast paths in the kernel's text (core/sched.h, SCHED_FAST):
 * the others share its first page, and this one, called from outside,
 * gains nothing from sharing it. */
SCHED_FAST enum lm_err thread_spawn(const struct thread_opts *o, struct thread **out)
{
	return spawn(o, false, out);
}
