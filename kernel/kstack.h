/*
 * Stacks in the thread-stack region: n mapped pages with an unmapped guard
 * page below, so that running off the bottom faults instead of corrupting
 * a neighbour. Threads (one page each by default) and the per-hart interrupt
 * stacks come from here.
 */
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include <stdint.h>

#define KSTACK_MAX_PAGES 256

/* Lowest address of `pages` fresh mapped pages, or 0 if out of memory,
 * address space, or pages is 0 or above KSTACK_MAX_PAGES. */
uintptr_t kstack_alloc(unsigned pages);
void kstack_free(uintptr_t base, unsigned pages);

/* Give every cached one-page stack back to the page allocator. */
void kstack_drain(void);

/* Pages currently held in the cache of freed one-page stacks. */
uint64_t kstack_cached(void);

/* Is addr inside a guard page? (For fault reports: "stack overflow".) */
int kstack_is_guard(uintptr_t addr);

#endif
