/*
 * x86-64 code for the init language: the encodings behind
 * arch/lang_emit.h, whose top comment gives the register conventions.
 *
 * Owns: the bytes of every native word (the table below, each sequence
 * assembled from the instructions in its comments), the checks put in
 * front of them, calls, branches, do-loops and the runtime (entry, exit,
 * error stubs) at the start of the code region.
 *
 * Invariant: an emit either writes its whole sequence or sets e->full and
 * writes nothing, so that a region that filled up never holds half an
 * instruction that could run; the compiler stops at the first full.
 */
#include "arch/lang_emit.h"

#include "lib/string.h"

#define MEM_NONE 0
#define MEM_CELL 1
#define MEM_BYTE 2

struct op_code {
	uint8_t in, out;  /* cells taken, cells left */
	uint8_t mem;      /* MEM_*: the top cell is an address to check */
	uint8_t len;
	uint8_t bytes[24];
};

static const struct op_code op_codes[OP_COUNT] = {
	[OP_DUP] = { 1, 2, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xeb, 0x08,	/* sub rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_DROP] = { 1, 0, MEM_NONE, 4, {
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
	} },
	[OP_SWAP] = { 2, 2, MEM_NONE, 14, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x48, 0x89, 0x0b,	/* mov [rbx],rcx */
		0x48, 0x89, 0x43, 0x08,	/* mov [rbx+8],rax */
	} },
	[OP_OVER] = { 2, 3, MEM_NONE, 11, {
		0x48, 0x8b, 0x43, 0x08,	/* mov rax,[rbx+8] */
		0x48, 0x83, 0xeb, 0x08,	/* sub rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_ROT] = { 3, 3, MEM_NONE, 22, {
		0x48, 0x8b, 0x43, 0x10,	/* mov rax,[rbx+16] */
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x48, 0x8b, 0x13,	/* mov rdx,[rbx] */
		0x48, 0x89, 0x4b, 0x10,	/* mov [rbx+16],rcx */
		0x48, 0x89, 0x53, 0x08,	/* mov [rbx+8],rdx */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_NIP] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_TUCK] = { 2, 3, MEM_NONE, 22, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x48, 0x83, 0xeb, 0x08,	/* sub rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
		0x48, 0x89, 0x4b, 0x08,	/* mov [rbx+8],rcx */
		0x48, 0x89, 0x43, 0x10,	/* mov [rbx+16],rax */
	} },
	[OP_2DUP] = { 2, 4, MEM_NONE, 18, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x48, 0x83, 0xeb, 0x10,	/* sub rbx,16 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
		0x48, 0x89, 0x4b, 0x08,	/* mov [rbx+8],rcx */
	} },
	[OP_2DROP] = { 2, 0, MEM_NONE, 4, {
		0x48, 0x83, 0xc3, 0x10,	/* add rbx,16 */
	} },
	[OP_ADD] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x01, 0x03,	/* add [rbx],rax */
	} },
	[OP_SUB] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x29, 0x03,	/* sub [rbx],rax */
	} },
	[OP_MUL] = { 2, 1, MEM_NONE, 14, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x0f, 0xaf, 0x03,	/* imul rax,[rbx] */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_AND] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x21, 0x03,	/* and [rbx],rax */
	} },
	[OP_OR] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x09, 0x03,	/* or [rbx],rax */
	} },
	[OP_XOR] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x31, 0x03,	/* xor [rbx],rax */
	} },
	[OP_INVERT] = { 1, 1, MEM_NONE, 3, {
		0x48, 0xf7, 0x13,	/* not [rbx] */
	} },
	[OP_NEGATE] = { 1, 1, MEM_NONE, 3, {
		0x48, 0xf7, 0x1b,	/* neg [rbx] */
	} },
	[OP_ABS] = { 1, 1, MEM_NONE, 9, {
		0x48, 0x83, 0x3b, 0x00,	/* cmp [rbx],0 */
		0x7d, 0x03,	/* jge +3 */
		0x48, 0xf7, 0x1b,	/* neg [rbx] */
	} },
	[OP_1PLUS] = { 1, 1, MEM_NONE, 4, {
		0x48, 0x83, 0x03, 0x01,	/* add [rbx],1 */
	} },
	[OP_1MINUS] = { 1, 1, MEM_NONE, 4, {
		0x48, 0x83, 0x2b, 0x01,	/* sub [rbx],1 */
	} },
	[OP_LSHIFT] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x0b,	/* mov rcx,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0xd3, 0x23,	/* shl [rbx],cl */
	} },
	[OP_RSHIFT] = { 2, 1, MEM_NONE, 10, {
		0x48, 0x8b, 0x0b,	/* mov rcx,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0xd3, 0x2b,	/* shr [rbx],cl */
	} },
	[OP_MIN] = { 2, 1, MEM_NONE, 20, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x8b, 0x0b,	/* mov rcx,[rbx] */
		0x48, 0x39, 0xc1,	/* cmp rcx,rax */
		0x48, 0x0f, 0x4f, 0xc8,	/* cmovg rcx,rax */
		0x48, 0x89, 0x0b,	/* mov [rbx],rcx */
	} },
	[OP_MAX] = { 2, 1, MEM_NONE, 20, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x8b, 0x0b,	/* mov rcx,[rbx] */
		0x48, 0x39, 0xc1,	/* cmp rcx,rax */
		0x48, 0x0f, 0x4c, 0xc8,	/* cmovl rcx,rax */
		0x48, 0x89, 0x0b,	/* mov [rbx],rcx */
	} },
	[OP_EQ] = { 2, 1, MEM_NONE, 22, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x39, 0x03,	/* cmp [rbx],rax */
		0x0f, 0x94, 0xc0,	/* sete al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_NE] = { 2, 1, MEM_NONE, 22, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x39, 0x03,	/* cmp [rbx],rax */
		0x0f, 0x95, 0xc0,	/* setne al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_LT] = { 2, 1, MEM_NONE, 22, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x39, 0x03,	/* cmp [rbx],rax */
		0x0f, 0x9c, 0xc0,	/* setl al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_GT] = { 2, 1, MEM_NONE, 22, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x39, 0x03,	/* cmp [rbx],rax */
		0x0f, 0x9f, 0xc0,	/* setg al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_ULT] = { 2, 1, MEM_NONE, 22, {
		0x48, 0x8b, 0x03,	/* mov rax,[rbx] */
		0x48, 0x83, 0xc3, 0x08,	/* add rbx,8 */
		0x48, 0x39, 0x03,	/* cmp [rbx],rax */
		0x0f, 0x92, 0xc0,	/* setb al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_ZEQ] = { 1, 1, MEM_NONE, 16, {
		0x48, 0x83, 0x3b, 0x00,	/* cmp [rbx],0 */
		0x0f, 0x94, 0xc0,	/* sete al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_ZLT] = { 1, 1, MEM_NONE, 16, {
		0x48, 0x83, 0x3b, 0x00,	/* cmp [rbx],0 */
		0x0f, 0x9c, 0xc0,	/* setl al */
		0x0f, 0xb6, 0xc0,	/* movzx eax,al */
		0x48, 0xf7, 0xd8,	/* neg rax */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_I] = { 0, 1, MEM_NONE, 11, {
		0x48, 0x8b, 0x04, 0x24,	/* mov rax,[rsp] */
		0x48, 0x83, 0xeb, 0x08,	/* sub rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_J] = { 0, 1, MEM_NONE, 12, {
		0x48, 0x8b, 0x44, 0x24, 0x10,	/* mov rax,[rsp+16] */
		0x48, 0x83, 0xeb, 0x08,	/* sub rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_DEPTH] = { 0, 1, MEM_NONE, 19, {
		0x49, 0x8b, 0x44, 0x24, 0x08,	/* mov rax,[r12+8] */
		0x48, 0x29, 0xd8,	/* sub rax,rbx */
		0x48, 0xc1, 0xf8, 0x03,	/* sar rax,3 */
		0x48, 0x83, 0xeb, 0x08,	/* sub rbx,8 */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_FETCH] = { 1, 1, MEM_CELL, 6, {
		0x48, 0x8b, 0x00,	/* mov rax,[rax] */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_STORE] = { 2, 0, MEM_CELL, 11, {
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x48, 0x89, 0x08,	/* mov [rax],rcx */
		0x48, 0x83, 0xc3, 0x10,	/* add rbx,16 */
	} },
	[OP_CFETCH] = { 1, 1, MEM_BYTE, 6, {
		0x0f, 0xb6, 0x00,	/* movzx eax,[rax] */
		0x48, 0x89, 0x03,	/* mov [rbx],rax */
	} },
	[OP_CSTORE] = { 2, 0, MEM_BYTE, 10, {
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x88, 0x08,	/* mov [rax],cl */
		0x48, 0x83, 0xc3, 0x10,	/* add rbx,16 */
	} },
	[OP_PSTORE] = { 2, 0, MEM_CELL, 11, {
		0x48, 0x8b, 0x4b, 0x08,	/* mov rcx,[rbx+8] */
		0x48, 0x01, 0x08,	/* add [rax],rcx */
		0x48, 0x83, 0xc3, 0x10,	/* add rbx,16 */
	} },
};

static void put(struct emit *e, const void *bytes, size_t n)
{
	if (e->full || n > e->size - e->pos) {
		e->full = true;
		return;
	}
	memcpy(e->base + e->pos, bytes, n);
	e->pos += n;
}

static void put_u8(struct emit *e, uint8_t b)
{
	put(e, &b, 1);
}

static void put_u32(struct emit *e, uint32_t v)
{
	put(e, &v, 4);
}

/* A rel32 field at e->pos that lands on target. */
static void put_rel32(struct emit *e, size_t target)
{
	put_u32(e, (uint32_t)((int64_t)target - (int64_t)(e->pos + 4)));
}

/* call rel32 to a stub: what every failed check runs. */
static void put_call(struct emit *e, size_t target)
{
	put_u8(e, 0xe8);
	put_rel32(e, target);
}

/* Reserve room for n bytes now, so that a sequence is written whole. */
static bool room(struct emit *e, size_t n)
{
	if (e->full || n > e->size - e->pos)
		e->full = true;
	return !e->full;
}

/* The data stack holds `in` cells and has room for out - in more. */
static void put_stack_checks(struct emit *e, int in, int out)
{
	if (in > 0) {
		/* lea rax,[rbx+8*in]; cmp rax,[r12+8]; jbe +5; call underflow */
		const uint8_t c[] = { 0x48, 0x8d, 0x43, (uint8_t)(8 * in),
				      0x49, 0x3b, 0x44, 0x24, 0x08, 0x76, 0x05 };
		put(e, c, sizeof c);
		put_call(e, e->stub[LANG_RT_UNDERFLOW]);
	}
	if (out > in) {
		/* lea rax,[rbx-8*(out-in)]; cmp rax,[r12+16]; jae +5; call overflow */
		const uint8_t c[] = { 0x48, 0x8d, 0x43, (uint8_t)(-8 * (out - in)),
				      0x49, 0x3b, 0x44, 0x24, 0x10, 0x73, 0x05 };
		put(e, c, sizeof c);
		put_call(e, e->stub[LANG_RT_OVERFLOW]);
	}
}

void emit_op_effect(enum lang_op op, int *in, int *out)
{
	*in = op_codes[op].in;
	*out = op_codes[op].out;
}

void emit_op(struct emit *e, enum lang_op op)
{
	const struct op_code *c = &op_codes[op];

	if (!room(e, 32 + 26 + c->len))
		return;
	put_stack_checks(e, c->in, c->out);
	if (c->mem != MEM_NONE) {
		/* mov rax,[rbx]; cmp rax,[r12+24]; jb bad;
		 * cmp rax,[r12+32 or 40]; jbe ok; bad: call address; ok: */
		const uint8_t m[] = { 0x48, 0x8b, 0x03, 0x49, 0x3b, 0x44, 0x24, 0x18, 0x72, 0x07,
				      0x49, 0x3b, 0x44, 0x24,
				      c->mem == MEM_CELL ? 0x20 : 0x28, 0x76, 0x05 };
		put(e, m, sizeof m);
		put_call(e, e->stub[LANG_RT_ADDRESS]);
	}
	put(e, c->bytes, c->len);
}

void emit_literal(struct emit *e, int64_t v)
{
	if (!room(e, 16 + 13))
		return;
	put_stack_checks(e, 0, 1);
	if (v >= INT32_MIN && v <= INT32_MAX) {
		/* sub rbx,8; mov qword [rbx],imm32 (sign-extended) */
		const uint8_t c[] = { 0x48, 0x83, 0xeb, 0x08, 0x48, 0xc7, 0x03 };
		put(e, c, sizeof c);
		put_u32(e, (uint32_t)v);
	} else {
		/* mov rax,imm64; sub rbx,8; mov [rbx],rax */
		const uint8_t c1[] = { 0x48, 0xb8 };
		const uint8_t c2[] = { 0x48, 0x83, 0xeb, 0x08, 0x48, 0x89, 0x03 };
		uint64_t u = (uint64_t)v;
		put(e, c1, sizeof c1);
		put(e, &u, 8);
		put(e, c2, sizeof c2);
	}
}

void emit_helper(struct emit *e, lang_helper_fn *fn, int in, int out)
{
	/* mov [r12],rbx; mov rdi,r12; mov rbp,rsp; and rsp,-16 (the ABI's
	 * alignment: the return stack's depth is any multiple of 8) */
	const uint8_t c1[] = { 0x49, 0x89, 0x1c, 0x24, 0x4c, 0x89, 0xe7, 0x48, 0x89, 0xe5,
			       0x48, 0x83, 0xe4, 0xf0, 0x48, 0xb8 };
	/* call rax; mov rsp,rbp; mov rbx,[r12]; test eax,eax; jz +5; call stub */
	const uint8_t c2[] = { 0xff, 0xd0, 0x48, 0x89, 0xec, 0x49, 0x8b, 0x1c, 0x24,
			       0x85, 0xc0, 0x74, 0x05 };
	uint64_t addr = (uint64_t)(uintptr_t)fn;

	if (!room(e, 32 + sizeof c1 + 8 + sizeof c2 + 5))
		return;
	put_stack_checks(e, in, out);
	put(e, c1, sizeof c1);
	put(e, &addr, 8);
	put(e, c2, sizeof c2);
	put_call(e, e->stub_helper);
}

void emit_call(struct emit *e, size_t target)
{
	if (!room(e, 5))
		return;
	put_call(e, target);
}

void emit_step(struct emit *e)
{
	/* dec r13; jnz +5; call budget */
	const uint8_t c[] = { 0x49, 0xff, 0xcd, 0x75, 0x05 };

	if (!room(e, sizeof c + 5))
		return;
	put(e, c, sizeof c);
	put_call(e, e->stub[LANG_RT_BUDGET]);
}

void emit_prologue(struct emit *e)
{
	/* cmp rsp,[r12+48]; ja +5; call rstack */
	const uint8_t c[] = { 0x49, 0x3b, 0x64, 0x24, 0x30, 0x77, 0x05 };

	if (!room(e, sizeof c + 5))
		return;
	put(e, c, sizeof c);
	put_call(e, e->stub[LANG_RT_RSTACK]);
	emit_step(e);
}

void emit_return(struct emit *e, int loops)
{
	if (!room(e, 8))
		return;
	if (loops > 0) {
		/* add rsp,16*loops */
		const uint8_t c[] = { 0x48, 0x81, 0xc4 };
		put(e, c, sizeof c);
		put_u32(e, (uint32_t)(16 * loops));
	}
	put_u8(e, 0xc3); /* ret */
}

size_t emit_branch_if_zero(struct emit *e)
{
	/* mov rax,[rbx]; add rbx,8; test rax,rax; jz rel32 */
	const uint8_t c[] = { 0x48, 0x8b, 0x03, 0x48, 0x83, 0xc3, 0x08, 0x48, 0x85, 0xc0,
			      0x0f, 0x84 };

	if (!room(e, 16 + sizeof c + 4))
		return 0;
	put_stack_checks(e, 1, 0);
	put(e, c, sizeof c);
	put_u32(e, 0);
	return e->pos - 4;
}

size_t emit_jump(struct emit *e)
{
	if (!room(e, 5))
		return 0;
	put_u8(e, 0xe9); /* jmp rel32 */
	put_u32(e, 0);
	return e->pos - 4;
}

void emit_patch(struct emit *e, size_t at, size_t target)
{
	uint32_t rel = (uint32_t)((int64_t)target - (int64_t)(at + 4));

	if (e->full || at < 1 || at + 4 > e->pos)
		return;
	memcpy(e->base + at, &rel, 4);
}

size_t emit_do(struct emit *e)
{
	/* mov rax,[rbx]; mov rcx,[rbx+8]; add rbx,16; cmp rax,rcx; jge rel32
	 * (start >= limit: skip the loop); push rcx; push rax */
	const uint8_t c[] = { 0x48, 0x8b, 0x03, 0x48, 0x8b, 0x4b, 0x08, 0x48, 0x83, 0xc3,
			      0x10, 0x48, 0x39, 0xc8, 0x0f, 0x8d };
	const uint8_t push[] = { 0x51, 0x50 };
	size_t at;

	if (!room(e, 16 + sizeof c + 4 + sizeof push))
		return 0;
	put_stack_checks(e, 2, 0);
	put(e, c, sizeof c);
	put_u32(e, 0);
	at = e->pos - 4;
	put(e, push, sizeof push);
	return at;
}

void emit_loop(struct emit *e, size_t top)
{
	/* mov rax,[rsp]; add rax,1; mov [rsp],rax; cmp rax,[rsp+8]; jl top;
	 * add rsp,16 */
	const uint8_t c[] = { 0x48, 0x8b, 0x04, 0x24, 0x48, 0x83, 0xc0, 0x01, 0x48, 0x89,
			      0x04, 0x24, 0x48, 0x3b, 0x44, 0x24, 0x08, 0x0f, 0x8c };
	const uint8_t drop[] = { 0x48, 0x83, 0xc4, 0x10 };

	if (!room(e, 10 + sizeof c + 4 + sizeof drop))
		return;
	emit_step(e);
	put(e, c, sizeof c);
	put_rel32(e, top);
	put(e, drop, sizeof drop);
}

bool emit_runtime(struct emit *e)
{
	/* lang_enter(regs = rdi, code = rsi): save the callee-saved registers
	 * on the caller's stack, remember rsp, load the machine's registers,
	 * switch to its return stack and call the code. */
	const uint8_t enter[] = {
		0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, /* push rbx..r15 */
		0x48, 0x89, 0x67, 0x38,         /* mov [rdi+56],rsp */
		0x49, 0x89, 0xfc,               /* mov r12,rdi */
		0x48, 0x8b, 0x1f,               /* mov rbx,[rdi] */
		0x4c, 0x8b, 0x6f, 0x48,         /* mov r13,[rdi+72] */
		0x48, 0x8b, 0x67, 0x40,         /* mov rsp,[rdi+64] */
		0xff, 0xd6,                     /* call rsi */
		0x31, 0xc0,                     /* xor eax,eax */
	};
	/* The exit, with the result in eax: store the machine's registers
	 * back, return to the caller's stack from anywhere in the code. */
	const uint8_t exit[] = {
		0x49, 0x89, 0x1c, 0x24,         /* mov [r12],rbx */
		0x4d, 0x89, 0x6c, 0x24, 0x48,   /* mov [r12+72],r13 */
		0x49, 0x8b, 0x64, 0x24, 0x38,   /* mov rsp,[r12+56] */
		0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, /* pop r15..rbx */
		0xc3,                           /* ret */
	};
	/* A stub: pop rcx (the failed check's address); mov [r12+80],rcx */
	const uint8_t stub[] = { 0x59, 0x49, 0x89, 0x4c, 0x24, 0x50 };

	e->pos = 0;
	e->full = false;
	e->enter = e->pos;
	put(e, enter, sizeof enter);
	e->exit = e->pos;
	put(e, exit, sizeof exit);
	for (int i = 1; i < LANG_RT_STUBS; i++) {
		e->stub[i] = e->pos;
		put(e, stub, sizeof stub);
		put_u8(e, 0xb8); /* mov eax,imm32 */
		put_u32(e, (uint32_t)i);
		put_u8(e, 0xe9); /* jmp exit */
		put_rel32(e, e->exit);
	}
	e->stub_helper = e->pos; /* the helper's error is already in eax */
	put(e, stub, sizeof stub);
	put_u8(e, 0xe9);
	put_rel32(e, e->exit);
	return !e->full;
}

lang_enter_fn *emit_enter_fn(const struct emit *e)
{
	return (lang_enter_fn *)(void *)(e->base + e->enter);
}
