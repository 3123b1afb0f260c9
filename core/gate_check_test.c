/* Host tests of the gate's check of one call (core/gate_check.c). The
 * caller's memory is core/gate_check_mem.h's: 4 KiB at a made-up address,
 * its first half writable. */
#include <string.h>

#include "core/gate_check_mem.h"
#include "lib/test.h"

/* describe(hart: u32 0 until 64, out: pointer unique info (24 bytes)) */
static const struct lm_gate_param describe_params[] = {
	{LM_GATE_UINT, 4, 0, 63},
	{LM_GATE_INOUT, 24, 0, 0},
};
static const struct lm_gate_routine describe = {2, LM_GATE_WORD, describe_params, NULL};

TEST(gate_check, integers_in_range_and_pointers_copied)
{
	uint8_t buffer[64];
	uint64_t args[GATE_ARGS], regs[GATE_ARGS] = {0xffffffff00000005ull, GATE_MEM_BASE + 8};

	memset(gate_mem, 0x5a, sizeof gate_mem);
	ASSERT_EQ(gate_check(&describe, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_OK);
	EXPECT_EQ(args[0], 5); /* the low four bytes: the rest is not the callee's */
	EXPECT_EQ(args[1], (uint64_t)(uintptr_t)buffer);
	EXPECT_EQ(buffer[0], 0x5a);
	memset(buffer, 0x11, 24);
	gate_copy_back(&describe, regs, buffer, sizeof buffer, &gate_mem_callbacks);
	EXPECT_EQ(gate_mem[8], 0x11);
	EXPECT_EQ(gate_mem[31], 0x11);
	EXPECT_EQ(gate_mem[32], 0x5a); /* 24 bytes, no more */
}

TEST(gate_check, refusals)
{
	uint8_t buffer[64];
	uint64_t args[GATE_ARGS], regs[GATE_ARGS] = {64, GATE_MEM_BASE};
	static const struct lm_gate_param signed_param[] = {{LM_GATE_SINT, 1, (uint64_t)-3, 3}};
	static const struct lm_gate_routine signed_routine = {1, LM_GATE_VOID, signed_param, NULL};
	static const struct lm_gate_param none_param[] = {{LM_GATE_NONE, 0, 0, 0}};
	static const struct lm_gate_routine none_routine = {1, LM_GATE_WORD, none_param, NULL};
	static const struct lm_gate_routine six = {6, LM_GATE_WORD, describe_params, NULL};
	static const struct lm_gate_routine result_none = {0, LM_GATE_NONE, NULL, "a test"};

	EXPECT_EQ(gate_check(&describe, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_RANGE);
	regs[0] = 1;
	regs[1] = 0xffffffff80100000ull; /* not the caller's */
	EXPECT_EQ(gate_check(&describe, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	regs[1] = GATE_MEM_BASE + GATE_MEM_SIZE / 2; /* the caller's, read-only */
	EXPECT_EQ(gate_check(&describe, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	regs[1] = GATE_MEM_BASE + GATE_MEM_SIZE / 2 - 8; /* runs into the read-only half */
	EXPECT_EQ(gate_check(&describe, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	regs[1] = GATE_MEM_BASE;
	EXPECT_EQ(gate_check(&describe, regs, buffer, 16, &gate_mem_callbacks, args), LM_ERR_FAULT); /* no room */
	regs[0] = 0xfd; /* -3 in a byte */
	EXPECT_EQ(gate_check(&signed_routine, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_OK);
	EXPECT_EQ(args[0], (uint64_t)-3);
	regs[0] = 0xfc; /* -4 */
	EXPECT_EQ(gate_check(&signed_routine, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_RANGE);
	EXPECT_EQ(gate_check(&none_routine, regs, buffer, sizeof buffer, &gate_mem_callbacks, args),
		  LM_ERR_UNSUPPORTED);
	EXPECT_EQ(gate_check(&six, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(gate_check(&result_none, regs, buffer, sizeof buffer, &gate_mem_callbacks, args),
		  LM_ERR_UNSUPPORTED);
}

/* write(text: bytes constant 0 to 100) and read(into: bytes unique 0 to
 * 4096): a pointer and its length, as idlc describes them. */
static const struct lm_gate_param write_params[] = {
	{LM_GATE_BYTES_IN, 0, 0, 100},
	{LM_GATE_UINT, 8, 0, 100},
};
static const struct lm_gate_routine write_bytes = {2, LM_GATE_WORD, write_params, NULL};
static const struct lm_gate_param read_params[] = {
	{LM_GATE_UINT, 4, 0, 63},
	{LM_GATE_BYTES_INOUT, 0, 0, 4096},
	{LM_GATE_UINT, 8, 0, 4096},
};
static const struct lm_gate_routine read_bytes = {3, LM_GATE_VOID, read_params, NULL};

TEST(gate_check, byte_buffers_copied_for_their_length)
{
	uint8_t buffer[256];
	uint64_t args[GATE_ARGS], regs[GATE_ARGS] = {GATE_MEM_BASE + 3000, 100};

	memset(gate_mem, 0x5a, sizeof gate_mem);
	memset(gate_mem + 3000, 'a', 100);
	memset(buffer, 0, sizeof buffer);
	ASSERT_EQ(gate_check(&write_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_OK);
	EXPECT_EQ(args[0], (uint64_t)(uintptr_t)buffer);
	EXPECT_EQ(args[1], 100);
	EXPECT_EQ(buffer[99], 'a');
	EXPECT_EQ(buffer[100], 0); /* its length, no more */
	regs[1] = 0; /* empty: nothing read, even from nowhere */
	regs[0] = 0xffffffff80100000ull;
	EXPECT_EQ(gate_check(&write_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_OK);

	/* Out: copied in, and back for its length only. */
	regs[0] = 7;
	regs[1] = GATE_MEM_BASE + 100;
	regs[2] = 20;
	ASSERT_EQ(gate_check(&read_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_OK);
	EXPECT_EQ(args[1], (uint64_t)(uintptr_t)buffer);
	memset(buffer, 'z', sizeof buffer);
	gate_copy_back(&read_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks);
	EXPECT_EQ(gate_mem[100], 'z');
	EXPECT_EQ(gate_mem[119], 'z');
	EXPECT_EQ(gate_mem[120], 0x5a);
	EXPECT_EQ(gate_mem[99], 0x5a);
}

TEST(gate_check, byte_buffer_refusals)
{
	uint8_t buffer[256];
	uint64_t args[GATE_ARGS], regs[GATE_ARGS] = {GATE_MEM_BASE, 101};
	static const struct lm_gate_param last_params[] = {{LM_GATE_BYTES_IN, 0, 0, 100}};
	static const struct lm_gate_routine no_length = {1, LM_GATE_WORD, last_params, NULL};
	static const struct lm_gate_param narrow_params[] = {
		{LM_GATE_BYTES_IN, 0, 0, 100},
		{LM_GATE_UINT, 4, 0, 100},
	};
	static const struct lm_gate_routine narrow_length = {2, LM_GATE_WORD, narrow_params, NULL};

	/* Longer than its range, or than the gate's buffer. */
	EXPECT_EQ(gate_check(&write_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_RANGE);
	regs[1] = 100;
	EXPECT_EQ(gate_check(&write_bytes, regs, buffer, 64, &gate_mem_callbacks, args), LM_ERR_RANGE);
	/* Not the caller's, or running past its memory. */
	regs[0] = 0xffffffff80100000ull;
	EXPECT_EQ(gate_check(&write_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	regs[0] = GATE_MEM_BASE + GATE_MEM_SIZE - 50;
	EXPECT_EQ(gate_check(&write_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	regs[0] = UINT64_MAX - 10; /* wraps */
	EXPECT_EQ(gate_check(&write_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	/* Unique: the caller must be able to write it (the read-only half). */
	regs[0] = 0;
	regs[1] = GATE_MEM_BASE + GATE_MEM_SIZE / 2 - 10;
	regs[2] = 20;
	EXPECT_EQ(gate_check(&read_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_ERR_FAULT);
	regs[2] = 10;
	EXPECT_EQ(gate_check(&read_bytes, regs, buffer, sizeof buffer, &gate_mem_callbacks, args), LM_OK);
	/* A description without the length after the buffer: no gate can call it. */
	EXPECT_EQ(gate_check(&no_length, regs, buffer, sizeof buffer, &gate_mem_callbacks, args),
		  LM_ERR_UNSUPPORTED);
	EXPECT_EQ(gate_check(&narrow_length, regs, buffer, sizeof buffer, &gate_mem_callbacks, args),
		  LM_ERR_UNSUPPORTED);
}
