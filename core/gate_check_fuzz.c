/* libFuzzer: a routine description and the registers of a call, both from
 * the input, through gate_check and gate_copy_back. The caller's memory is
 * core/gate_check_mem.h's (4 KiB, its first half writable); the buffer
 * is exactly its size (ASan sees any byte past it). On LM_OK every integer
 * must be in its range and every pointer inside the buffer with its bytes,
 * a byte buffer's as many as its length (the next parameter) says. */
#include <stdlib.h>
#include <string.h>

#include "core/gate_check_mem.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static uint64_t take(const uint8_t **p, size_t *n, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && *n; i++, (*p)++, (*n)--)
		v |= (uint64_t)**p << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lm_gate_param params[8];
	struct lm_gate_routine rt;
	uint64_t regs[GATE_ARGS], args[GATE_ARGS];
	uint32_t buffer_size;
	uint8_t *buffer;

	rt.nparams = (uint8_t)(take(&data, &size, 1) % 8);
	rt.result = (uint8_t)(take(&data, &size, 1) % 8);
	rt.params = params;
	for (unsigned i = 0; i < 8; i++) {
		params[i].kind = (uint8_t)(take(&data, &size, 1) % (LM_GATE_BYTES_INOUT + 1));
		params[i].size = (uint32_t)take(&data, &size, 2);
		params[i].lo = take(&data, &size, 8);
		params[i].hi = take(&data, &size, 8);
	}
	for (unsigned i = 0; i < GATE_ARGS; i++)
		regs[i] = take(&data, &size, 1) & 1 ? GATE_MEM_BASE + take(&data, &size, 2) % (GATE_MEM_SIZE + 64)
						    : take(&data, &size, 8);
	buffer_size = (uint32_t)take(&data, &size, 2) % 1024;
	buffer = malloc(buffer_size ? buffer_size : 1);
	if (gate_check(&rt, regs, buffer, buffer_size, &gate_mem_callbacks, args) == LM_OK) {
		for (unsigned i = 0; i < rt.nparams; i++) {
			const struct lm_gate_param *p = &params[i];

			if (p->kind == LM_GATE_UINT)
				check(args[i] >= p->lo && args[i] <= p->hi);
			else if (p->kind == LM_GATE_SINT)
				check((int64_t)args[i] >= (int64_t)p->lo && (int64_t)args[i] <= (int64_t)p->hi);
			else if (p->kind == LM_GATE_BYTES_IN || p->kind == LM_GATE_BYTES_INOUT)
				/* its length: the next parameter, checked in range */
				check(i + 1 < rt.nparams && params[i + 1].kind == LM_GATE_UINT &&
				      params[i + 1].size == 8 && args[i] >= (uintptr_t)buffer &&
				      args[i] + regs[i + 1] <= (uintptr_t)buffer + buffer_size);
			else
				check(args[i] >= (uintptr_t)buffer &&
				      args[i] + p->size <= (uintptr_t)buffer + buffer_size);
		}
		gate_copy_back(&rt, regs, buffer, buffer_size, &gate_mem_callbacks);
	}
	free(buffer);
	return 0;
}
