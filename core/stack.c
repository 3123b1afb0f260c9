/*
 * Thread stacks (see stack.h).
 *
 * Each hart keeps up to STACK_CACHE freed one-page stacks of its own,
 * linked through their first word. Only the hart itself touches its cache,
 * with preemption or interrupts off (core/sched.h; no interrupt handler
 * touches it), so the cache takes no lock; other harts only read its count
 * (atomically, for stack_cached).
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/stack.h"

#define STACK_CACHE 32

/* The newest stack in h's cache, or 0. On h, preemption or interrupts off. */
static uintptr_t cache_pop(struct hart *h)
{
	uintptr_t base = h->stack_cache;

	if (base) {
		h->stack_cache = *(uintptr_t *)base;
		__atomic_store_n(&h->stack_cached, h->stack_cached - 1, __ATOMIC_RELAXED);
	}
	return base;
}

uintptr_t stack_take(struct hart *h, unsigned pages)
{
	uintptr_t base = pages == 1 ? cache_pop(h) : 0;

	return base ? base : plat_stack_alloc(pages);
}

void stack_give(struct hart *h, uintptr_t base, unsigned pages)
{
	if (pages == 1 && h->stack_cached < STACK_CACHE) {
		*(uintptr_t *)base = h->stack_cache;
		h->stack_cache = base;
		__atomic_store_n(&h->stack_cached, h->stack_cached + 1, __ATOMIC_RELAXED);
	} else {
		plat_stack_free(base, pages);
	}
}

uint64_t stack_cached(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < HART_MAX; i++)
		n += __atomic_load_n(&harts[i].stack_cached, __ATOMIC_RELAXED);
	return n;
}

void stack_cache_drain(void)
{
	bool irq = plat_irq_save();
	uintptr_t base;

	while ((base = cache_pop(this_hart())))
		plat_stack_free(base, 1);
	plat_irq_restore(irq);
}
