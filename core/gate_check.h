/*
 * The gate's check of one call (docs/isolation.md, "Gated doors"):
 * the arguments an untrusted caller passed in registers, against the
 * routine's generated description (struct lm_gate_routine,
 * lemmings/door.h). Portable, no allocation, no global state: the caller's
 * memory is reached only through struct gate_memory, so the host tests and
 * fuzzes it (core/gate_check_test.c, core/gate_check_fuzz.c) and the kernel
 * uses it (kernel/gate.c).
 */
#ifndef CORE_GATE_CHECK_H
#define CORE_GATE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/door.h>
#include <lemmings/err.h>

#define GATE_ARGS 5 /* rdi, rsi, rdx, r8, r9 */

struct gate_memory {
	void *ctx;
	/* Copy size bytes at addr of the caller's memory into dst if every one
	 * is the caller's, and writable too if writable; false otherwise. */
	bool (*read)(void *ctx, uint64_t addr, void *dst, uint32_t size, bool writable);
	/* Copy size bytes from src back to addr (read said it may). */
	void (*write)(void *ctx, uint64_t addr, const void *src, uint32_t size);
};

/*
 * Check regs against rt and make args, what the routine gets: each integer
 * the low bytes of its register, extended, within its range; for each
 * pointer, a pointer into buffer (buffer_size bytes), where what the
 * caller's pointer points at has been copied; for each byte buffer, the
 * same for as many bytes as its length (the next parameter) says.
 * LM_OK, or: LM_ERR_UNSUPPORTED for a routine no gate can call (its result
 * NONE, a NONE or unknown parameter, more than GATE_ARGS, a byte buffer
 * not followed by its 8-byte length), LM_ERR_RANGE for an integer out of
 * range or a byte buffer longer than its range or than what is left of the
 * buffer, LM_ERR_FAULT for a pointer whose bytes are not the caller's (or
 * not writable for INOUT, BYTES_INOUT) or, for a pointer to data, do not
 * fit in the buffer with the others.
 */
enum lm_err gate_check(const struct lm_gate_routine *rt, const uint64_t regs[GATE_ARGS],
		       uint8_t *buffer, uint32_t buffer_size, const struct gate_memory *m,
		       uint64_t args[GATE_ARGS]);

/* After the routine ran: copy each INOUT and BYTES_INOUT parameter's bytes
 * back from the buffer to the caller's memory (gate_check returned LM_OK
 * for these). */
void gate_copy_back(const struct lm_gate_routine *rt, const uint64_t regs[GATE_ARGS],
		    const uint8_t *buffer, uint32_t buffer_size, const struct gate_memory *m);

#endif
