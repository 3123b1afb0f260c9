/*
 * Thread stacks: the platform's allocator (plat_stack_alloc) with a small
 * cache of freed one-page stacks on each hart, so that a spawn after an
 * exit on the same hart takes no lock and makes no call to the allocator.
 */
#ifndef CORE_STACK_H
#define CORE_STACK_H

#include <stdint.h>

struct hart;

/* `pages` mapped pages above a guard page, from h's cache (this hart's,
 * preemption or interrupts off) when it can; 0 if there is no memory. */
uintptr_t stack_take(struct hart *h, unsigned pages);
/* A dead thread's stack, on the hart where it ended, preemption or
 * interrupts off. */
void stack_give(struct hart *h, uintptr_t base, unsigned pages);
/* Give this hart's cache back to the platform (before counting free
 * memory). */
void stack_cache_drain(void);
/* One-page stacks kept in the harts' caches (each is a page in use). */
uint64_t stack_cached(void);

#endif
