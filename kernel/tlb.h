/*
 * TLB shootdown: after unmapping pages that other harts may have used,
 * make every hart forget its translations for them before the pages (or
 * their addresses) are reused.
 */
#ifndef KERNEL_TLB_H
#define KERNEL_TLB_H

#include <stdint.h>

/* Flush [va, va + pages * 4 KiB) on every other online hart and wait until
 * all have. Must be called holding no lock (it may wait on other harts,
 * which may be waiting to do the same). Interrupts may be off. */
void tlb_shootdown(uintptr_t va, unsigned pages);

/* Unmap [base, base + pages * 4 KiB), make every hart forget the mapping,
 * and only then give the pages back to the allocator (no hart may reach a
 * page through a stale translation once it belongs to someone else).
 * Pages not mapped are skipped. Holding no lock, as for tlb_shootdown. */
void tlb_unmap_and_free(uintptr_t base, unsigned pages);

/* Install this hart's handler for shootdown requests. */
void tlb_init_hart(void);

#endif
