/*
 * Thread stacks: the platform's allocator (plat_stack_alloc) with a small
 * cache of freed one-page stacks on each hart, so that a spawn after an
 * exit on the same hart takes no lock and makes no call to the allocator.
 */
#ifndef CORE_STACK_H
#define CORE_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hart.h"
#include "core/platform.h"

#define STACK_CACHE 32

/* The first one-page stack of h's cache (this hart's, preemption or
 * interrupts off), which holds one. */
static inline uintptr_t stack_cache_take(struct hart *h)
{
	uintptr_t base = h->stack_cache;

	h->stack_cache = *(uintptr_t *)base;
	__atomic_store_n(&h->stack_cached, h->stack_cached - 1, __ATOMIC_RELAXED);
	return base;
}

/* `pages` mapped pages above a guard page, from h's cache when it can; 0
 * if there is no memory. Inline: a spawn's stack is one pop from the
 * cache. */
static inline uintptr_t stack_take(struct hart *h, unsigned pages)
{
	if (pages != 1 || !h->stack_cache)
		return plat_stack_alloc(pages);
	return stack_cache_take(h);
}

/* Does h's cache take a dead thread's stack of pages? */
static inline bool stack_cache_takes(const struct hart *h, unsigned pages)
{
	return pages == 1 && h->stack_cached < STACK_CACHE;
}

/* Put the one-page stack at base in h's cache, which takes it. */
static inline void stack_cache_put(struct hart *h, uintptr_t base)
{
	*(uintptr_t *)base = h->stack_cache;
	h->stack_cache = base;
	__atomic_store_n(&h->stack_cached, h->stack_cached + 1, __ATOMIC_RELAXED);
}

/* A dead thread's stack, on the hart where it ended, preemption or
 * interrupts off. Inline: one push on the cache. */
static inline void stack_give(struct hart *h, uintptr_t base, unsigned pages)
{
	if (!stack_cache_takes(h, pages)) {
		plat_stack_free(base, pages);
		return;
	}
	stack_cache_put(h, base);
}
/* Give this hart's cache back to the platform (before counting free
 * memory). */
void stack_cache_drain(void);
/* One-page stacks kept in the harts' caches (each is a page in use). */
uint64_t stack_cached(void);

#endif
