/*
 * For core/gate_check.c's host test and fuzzer: the memory of a made-up
 * caller, a 4 KiB array at GATE_MEM_BASE whose first half is writable,
 * behind the gate_memory callbacks. A write back outside that half is a
 * bug in gate_copy_back and aborts.
 */
#ifndef CORE_GATE_CHECK_MEM_H
#define CORE_GATE_CHECK_MEM_H

#include <stdlib.h>
#include <string.h>

#include "core/gate_check.h"

#define GATE_MEM_BASE 0x10000ull
#define GATE_MEM_SIZE 4096u

static uint8_t gate_mem[GATE_MEM_SIZE];

static inline bool gate_mem_read(void *ctx, uint64_t addr, void *dst, uint32_t size, bool writable)
{
	(void)ctx;
	if (addr < GATE_MEM_BASE || addr - GATE_MEM_BASE > GATE_MEM_SIZE ||
	    size > GATE_MEM_SIZE - (addr - GATE_MEM_BASE) ||
	    (writable && addr - GATE_MEM_BASE + size > GATE_MEM_SIZE / 2))
		return false;
	memcpy(dst, gate_mem + (addr - GATE_MEM_BASE), size);
	return true;
}

static inline void gate_mem_write(void *ctx, uint64_t addr, const void *src, uint32_t size)
{
	(void)ctx;
	if (addr < GATE_MEM_BASE || addr - GATE_MEM_BASE + size > GATE_MEM_SIZE / 2)
		abort();
	memcpy(gate_mem + (addr - GATE_MEM_BASE), src, size);
}

static const struct gate_memory gate_mem_callbacks = {NULL, gate_mem_read, gate_mem_write};

#endif
