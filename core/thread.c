/*
 * Threads (see thread.h): their birth and death (ids, spawn, exit,
 * dedicating a hart to a new one), and their events (wait and signal, and
 * park and unpark built on them; docs/scheduling.md says why no wake-up is
 * lost). The scheduler below (core/sched.c) queues and switches them;
 * core/handle.c keeps the handles that doors name threads by.
 *
 * Locking: a thread's event bits, wait mask and waiting state change only
 * under its lock, so they are plain loads and stores, not locked
 * instructions (each of which costs more than the rest of a wait). A
 * signal through a handle holds the handle's slot lock around the thread's
 * own (slot, then thread: handle.c).
 */
#include <stddef.h>

#include "arch/context.h"
#include "arch/upcalls.h"
#include "core/handle.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/stack.h"
#include "core/thread.h"
#include "lib/string.h"

/* Thread ids are handed to harts ID_BATCH at a time, and each hart counts
 * the threads started and ended on it: spawning and ending a thread then
 * touch no word shared between harts (each locked operation saved is a few
 * nanoseconds of a spawn that costs a few dozen). */
#define ID_BATCH 1024
static uint64_t next_id = 1;

static uint64_t new_thread_id(struct hart *h)
{
	if (h->id_next == h->id_end) {
		h->id_next = __atomic_fetch_add(&next_id, ID_BATCH, __ATOMIC_RELAXED);
		h->id_end = h->id_next + ID_BATCH;
	}
	return h->id_next++;
}

/* ---- events ---- */

/* Take the bits of mask that are set. Caller holds t->lock. */
static uint64_t take_bits(struct thread *t, uint64_t mask)
{
	uint64_t got = t->events & mask;

	if (got)
		t->events &= ~got;
	return got;
}

uint64_t thread_take(uint64_t mask)
{
	struct thread *cur = thread_current();
	bool irq = plat_irq_save();
	uint64_t got;

	spin_lock(&cur->lock);
	got = take_bits(cur, mask);
	spin_unlock(&cur->lock);
	plat_irq_restore(irq);
	return got;
}

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
		 * are switched out and sees the mask. */
		cur->wait_mask = mask;
		got = take_bits(cur, mask);
		if (got) {
			cur->wait_mask = 0;
			spin_unlock(&cur->lock);
			break;
		}
		cur->state = THREAD_WAITING;
		cur->flags |= THREAD_LOCK_HELD;
		sched_reschedule(cur);
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
 * it was waiting (it stays asleep until sched_ready queues it). The
 * caller must know t is alive when it calls: t waits for this signal, or
 * will tell the caller when it ends (notify).
 */
static bool signal_bits(struct thread *t, uint64_t bits, struct woken *w)
{
	bool irq = plat_irq_save(), wake = false;

	spin_lock(&t->lock);
	t->events |= bits;
	if (t->state == THREAD_WAITING && (t->events & t->wait_mask)) {
		t->wait_mask = 0;
		wake = true;
	}
	spin_unlock(&t->lock);
	if (wake)
		sched_ready(t, false, w);
	plat_irq_restore(irq);
	return wake;
}

void thread_signal(struct thread *t, uint64_t bits)
{
	struct woken w;

	if (signal_bits(t, bits, &w))
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
	enum lm_err err = handle_lock(handle, &ref);
	bool woke;

	if (err)
		return err;
	woke = signal_bits(ref.thread, bits, &w);
	handle_unlock(&ref);
	if (woke)
		sched_yield_to(&w);
	return LM_OK;
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
	enum lm_err err;
	bool irq;

	if (!o->entry || (unsigned)o->priority >= PRIO_COUNT ||
	    (o->hart >= 0 && (uint32_t)o->hart >= hart_count))
		return LM_ERR_INVAL;
	/* Untrusted threads run on the harts set apart for them, and only
	 * they do. */
	if (o->untrusted != (o->hart >= 0 &&
			     (__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE) >> o->hart & 1)))
		return o->untrusted ? LM_ERR_INVAL : LM_ERR_BUSY;
	/* Nothing else may be pinned to a dedicated hart. */
	if (o->hart >= 0 && !dedicate &&
	    __atomic_load_n(&harts[o->hart].dedicated, __ATOMIC_ACQUIRE))
		return LM_ERR_BUSY;
	base = stack_take(pages);
	if (!base)
		return LM_ERR_NOMEM;

	/* The control block sits at the top of the stack area. */
	t = (struct thread *)((base + (uintptr_t)pages * 4096 - sizeof *t) & ~(uintptr_t)63);
	/* Every field, written once: a memset of the block first costs more
	 * (a string store's start-up) than the rest of these stores. */
	t->next = NULL;
	t->events = 0;
	t->wait_mask = 0;
	t->lock = (struct spinlock)SPINLOCK_INIT;
	t->state = THREAD_READY;
	t->priority = (uint8_t)o->priority;
	t->flags = o->hart >= 0 ? THREAD_PINNED : 0;
	/* Unpinned: here; sched_ready sends it to a member hart if this one
	 * is not in the main scheduler, or to an idle one if this one is busy. */
	t->hart = o->hart >= 0 ? (uint32_t)o->hart : this_hart()->id;
	t->stack_pages = pages;
	t->stack_base = base;
	t->stack_top = (uintptr_t)t;
	t->entry = o->entry;
	t->arg = o->arg;
	t->catch = NULL;
	t->deadline = 0;
	t->timer_next = t->timer_prev = NULL;
	t->timer_hart = 0;
	t->notify = o->notify;
	t->notify_bits = o->notify_bits;
	/* Unnamed threads keep an empty name (reports show their id):
	 * formatting one here would cost more than the rest of a spawn. */
	t->name[0] = 0;
	if (o->name) {
		size_t n = strnlen(o->name, THREAD_NAME_MAX - 1);

		memcpy(t->name, o->name, n);
		t->name[n] = 0;
	}
	t->saved_rsp = ctx_init_stack(t->stack_top);
	/* A handle only when asked for: threads the kernel spawns for itself
	 * pay one test here and one in thread_exit. */
	t->handle = 0;
	if (o->handle) {
		err = handle_attach(t);
		if (err) {
			plat_stack_free(base, pages);
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
			return LM_ERR_BUSY;
		}
	}
	/* Before it is queued: from then on it may run, and end. */
	if (o->handle)
		*o->handle = t->handle;
	irq = plat_irq_save();
	t->id = new_thread_id(this_hart());
	sched_count_live(this_hart(), 1);
	plat_irq_restore(irq);
	if (out)
		*out = t;

	sched_ready(t, false, &w);
	sched_yield_to(&w);
	return LM_OK;
}

enum lm_err thread_spawn(const struct thread_opts *o, struct thread **out)
{
	return spawn(o, false, out);
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

__attribute__((noreturn)) void thread_exit(void)
{
	struct thread *cur = thread_current();
	struct hart *h;

	/* From here on the handle names no one; a signaller that holds it now
	 * is waited for, so it cannot touch this thread once it is freed. */
	if (cur->handle)
		handle_detach(cur);
	/* No switch here: this thread is about to switch for good anyway, and
	 * may be running on a trap stack (stopped after a fault). */
	if (cur->notify)
		signal_bits(cur->notify, cur->notify_bits, &(struct woken){0});
	plat_irq_save();
	h = this_hart();
	if (cur->flags & THREAD_DEDICATED)
		__atomic_store_n(&h->dedicated, NULL, __ATOMIC_RELEASE);
	sched_exit(cur);
}

void thread_yield(void)
{
	struct thread *cur = this_thread();
	bool irq = plat_irq_save();

	cur->state = THREAD_READY;
	sched_reschedule(cur);
	plat_irq_restore(irq);
}
