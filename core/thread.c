/*
 * The birth and death of threads: ids, counts, stacks, spawn, exit, and
 * dedicating a hart to a new thread.
 */
#include <stddef.h>

#include "arch/context.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_internal.h"
#include "core/thread.h"
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
void sched_count_live(struct hart *h, int64_t delta)
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

/* The newest stack in h's cache, or 0. Interrupts off, on h. */
static uintptr_t cache_pop(struct hart *h)
{
	uintptr_t base = h->stack_cache;

	if (base) {
		h->stack_cache = *(uintptr_t *)base;
		__atomic_store_n(&h->stack_cached, h->stack_cached - 1, __ATOMIC_RELAXED);
	}
	return base;
}

static uintptr_t stack_take(unsigned pages)
{
	uintptr_t base = 0;

	if (pages == 1) {
		bool irq = plat_irq_save();

		base = cache_pop(this_hart());
		plat_irq_restore(irq);
	}
	return base ? base : plat_stack_alloc(pages);
}

/* Interrupts off, on the hart where the thread ended. */
void sched_stack_give(struct hart *h, uintptr_t base, unsigned pages)
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
	uintptr_t base;

	while ((base = cache_pop(this_hart())))
		plat_stack_free(base, 1);
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
	return this_thread();
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
		sched_signal_bits(cur->notify, cur->notify_bits, &(struct woken){0});
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

