/*
 * The physical page allocator: 4 KiB pages, O(1) allocation and free.
 *
 * Pages are handed out from a free list of pages given back, and otherwise
 * from the untouched part of the RAM ranges (a bump pointer per range), so
 * boot does not walk all of memory. Physically contiguous runs
 * (pmm_alloc_run) come from a range's untouched part, else from a scan of
 * the bitmap; the free list is doubly linked so that a run can take its
 * pages from the middle, and single pages stay O(1) (docs/memory.md). A bitmap with one bit per page records
 * which pages are allocated: freeing a page that is not allocated is a
 * broken invariant and panics with the page's address.
 *
 * The RAM comes from the boot loader's memory map as kernel/memmap.c
 * resolves it: overlapping, unsorted or wrapping entries are clipped with a
 * warning, and memory any entry reserves is never handed out.
 *
 * Locking: one spinlock, taken with interrupts off; safe from any context.
 */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include <stdbool.h>
#include <stdint.h>

/* Physical address of a free page, or 0 if memory is exhausted (page 0 is
 * never handed out). The page's contents are undefined. */
uint64_t pmm_alloc_page(void);
/* As pmm_alloc_page, but zero-filled. */
uint64_t pmm_alloc_zeroed_page(void);
void pmm_free_page(uint64_t phys);

/*
 * A physically contiguous run of n pages, every byte of it below limit (0:
 * no limit); returns the first page's address, or 0 if no such run is free.
 * Contents undefined. The untouched tail of each RAM range is tried first
 * (O(ranges)); then the bitmap is scanned for n free pages in a row, which
 * costs time in proportion to memory (a byte of allocated pages at a time).
 * Pages freed one by one are on a doubly linked free list, so a run can take
 * them out of its middle in O(1) each: single pages stay O(1).
 */
uint64_t pmm_alloc_run(uint64_t n, uint64_t limit);
/* Give back a run pmm_alloc_run gave (or any n allocated pages in a row). */
void pmm_free_run(uint64_t phys, uint64_t n);
/* One past the highest page number the allocator knows: pages
 * 0 .. pmm_page_limit() - 1 (for tables with one entry per page). */
uint64_t pmm_page_limit(void);

uint64_t pmm_free_pages(void);
uint64_t pmm_total_pages(void);
bool pmm_is_allocated(uint64_t phys);

/* Reserve [start, end) before pmm_init: kernel image, modules, ... */
void pmm_reserve(uint64_t start, uint64_t end);
void pmm_init(void);

/* The resolved memory map pmm_init built (kernel/memmap.h): sorted,
 * non-overlapping ranges below the direct map's 64 TiB. Sets *ranges_out and
 * returns how many there are; valid from pmm_init on, never changed. */
struct memmap_range;
uint32_t pmm_memory_map(const struct memmap_range **ranges_out);

/* The end of the highest range of the resolved memory map (any type, below
 * the direct map's 64 TiB; kernel/memmap.h). */
uint64_t pmm_phys_limit(void);

#endif
