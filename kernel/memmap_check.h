/*
 * What memmap_clip promises, checked against a slow reference: for the host
 * test (kernel/memmap_test.c) and the fuzzer (kernel/memmap_fuzz.c). Not
 * linked into the kernel.
 */
#ifndef KERNEL_MEMMAP_CHECK_H
#define KERNEL_MEMMAP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/memmap.h"

/*
 * True if out[0..count) is what memmap_clip(in, n, limit, ..., cap) may
 * return: sorted, non-empty, non-overlapping ranges below limit, touching
 * ranges of different types, no byte that an entry marks other than
 * available inside an available range, and at every address (below the end
 * of the last range when the output is full, count == cap) exactly the
 * type that the most restrictive entry covering the address gives. If not,
 * why holds a one-line reason.
 */
bool memmap_check(const struct boot_mem_range *in, uint32_t n, uint64_t limit,
		  const struct memmap_range *out, uint32_t count, uint32_t cap, char *why,
		  size_t why_size);

#endif
