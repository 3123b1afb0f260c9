/*
 * The boot loader's memory map made safe to allocate from.
 *
 * Firmware maps are outside input: entries come unsorted, overlap, nest,
 * have zero length or run past the end of the address space. memmap_clip
 * turns the raw entries (struct boot_mem_range, kernel/boot.h) into sorted,
 * non-overlapping ranges, each with one type. Where entries overlap, the
 * more restrictive type wins, in this order:
 *
 *   available < ACPI tables < ACPI NVS < reserved (and unknown types) < bad
 *
 * so no byte that any entry calls something other than available ever comes
 * out available. Problems are reported through the warn callback, one line
 * each, and clipped; nothing is fatal:
 *  - two entries that overlap: one line naming both and the type that wins;
 *  - an entry whose base + length runs past 2^64: an available one is
 *    dropped (its extent is nonsense), any other is kept up to the limit;
 *  - available memory at or above the limit: that part is dropped;
 *  - more ranges than the output holds: the map above the last one kept is
 *    dropped.
 * Zero-length entries are ignored silently: they claim nothing. Unsorted
 * entries are not a problem and get no warning.
 *
 * Portable and pure: no allocation, no global state, O(n^2) time in the
 * number of entries (a few tens of thousands of steps for the 128 the boot
 * information holds). Host-tested (kernel/memmap_test.c) and fuzzed
 * (kernel/memmap_fuzz.c).
 */
#ifndef KERNEL_MEMMAP_H
#define KERNEL_MEMMAP_H

#include <stdint.h>

#include "kernel/boot.h"

/* One resolved range: [base, end), type one of enum boot_mem_type (unknown
 * input types come out as BOOT_MEM_RESERVED). */
struct memmap_range {
	uint64_t base, end;
	uint32_t type;
};

/* Called once per problem with a one-line message (no newline). May be NULL. */
typedef void memmap_warn_fn(void *ctx, const char *message);

/* Longest message handed to the warn callback, with its NUL. */
#define MEMMAP_WARN_MAX 160
/* Problems reported one by one; beyond these, one last line counts the rest. */
#define MEMMAP_WARN_LINES 16

/* Output slots that always suffice for n input entries. */
#define MEMMAP_OUT_MAX(n) (2 * (n))

/*
 * Resolve the n entries at in into at most cap ranges at out, leaving out
 * everything at or above limit. Returns the number of ranges written: sorted
 * by base, non-empty, non-overlapping, and two ranges that touch have
 * different types.
 */
uint32_t memmap_clip(const struct boot_mem_range *in, uint32_t n, uint64_t limit,
		     struct memmap_range *out, uint32_t cap, memmap_warn_fn *warn, void *ctx);

/* How restrictive a type is: 0 for available, higher wins. */
unsigned memmap_rank(uint32_t type);
/* A memory type in words, as the boot report prints it ("available", ...). */
const char *memmap_type_name(uint32_t type);

#endif
