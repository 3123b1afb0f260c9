/*
 * Machine code for the init language (lang/, docs/init.md).
 *
 * The language compiles each word, as it is read, to x86-64 code appended
 * to one code region: native instructions for the stack, arithmetic and
 * memory words, a call for a defined word, a call through a register for a
 * word written in C (a "helper"). This file owns the instruction encodings
 * and the conventions of the generated code; lang/ owns everything else
 * (reading, the dictionary, the control-structure stack) and never writes
 * an instruction byte itself.
 *
 * Conventions of generated code:
 *   rbx  the data stack pointer: the top cell is [rbx]; the stack grows down
 *   r12  the struct lang_regs of the running machine
 *   r13  the step budget: decremented at every backward branch and every
 *        entry of a defined word; at zero the run stops with an error
 *   rsp  the return stack: return addresses and do-loop index and limit,
 *        on a stack the machine owns (never the caller's)
 *   rbp  scratch of the helper call (it keeps rsp across the alignment)
 * Every word checks what it needs before it touches it: that the data
 * stack holds enough cells and has room for its results, that an address
 * lies in the permitted range, that the return stack has room (at the entry
 * of a defined word). A failed check calls a stub at the start of the code
 * region, which records the address of the failed check (fault_pc, so that
 * the caller can name the word and its position) and leaves through
 * lang_enter's exit with an error code: nothing after the check runs.
 *
 * Invariant: the code region lies within 2 GiB of itself (rel32 calls and
 * jumps between any two places in it); helpers are called through rax, so
 * they may be anywhere.
 */
#ifndef ARCH_LANG_EMIT_H
#define ARCH_LANG_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What generated code reads and writes through r12. The offsets are part
 * of the encodings in arch/x86_64/lang_emit.c: append, never reorder. */
struct lang_regs {
	uint64_t sp;          /* 0: data stack pointer between runs */
	uint64_t sbase;       /* 8: the empty data stack (one past the deepest cell) */
	uint64_t slimit;      /* 16: the lowest cell of the data stack */
	uint64_t mem_lo;      /* 24: the lowest address @ ! c@ c! may touch */
	uint64_t mem_hi_cell; /* 32: the highest address of an 8-byte access */
	uint64_t mem_hi_byte; /* 40: the highest address of a 1-byte access */
	uint64_t rlimit;      /* 48: rsp at or below this is a return stack overflow */
	uint64_t host_rsp;    /* 56: the caller's rsp, for the exit */
	uint64_t rstack_top;  /* 64: rsp when a run starts */
	uint64_t budget;      /* 72: steps left */
	uint64_t fault_pc;    /* 80: the return address of the failed check */
};

/* Errors a run can end with (returned by lang_enter; 0 = finished). A
 * helper returns 0 or one of these, or any larger value of its own. */
enum lang_rt_err {
	LANG_RT_OK = 0,
	LANG_RT_UNDERFLOW,  /* the data stack holds fewer cells than the word takes */
	LANG_RT_OVERFLOW,   /* no room on the data stack for the word's results */
	LANG_RT_RSTACK,     /* return stack full (recursion too deep) */
	LANG_RT_BUDGET,     /* the step budget ran out */
	LANG_RT_ADDRESS,    /* an address outside the permitted range */
	LANG_RT_STUBS,      /* the count of the stubs above; helpers' codes follow */
};

/* The native words. */
enum lang_op {
	OP_DUP, OP_DROP, OP_SWAP, OP_OVER, OP_ROT, OP_NIP, OP_TUCK, OP_2DUP, OP_2DROP,
	OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_INVERT, OP_NEGATE, OP_ABS,
	OP_1PLUS, OP_1MINUS, OP_LSHIFT, OP_RSHIFT, OP_MIN, OP_MAX,
	OP_EQ, OP_NE, OP_LT, OP_GT, OP_ULT, OP_ZEQ, OP_ZLT,
	OP_I, OP_J, OP_DEPTH,
	OP_FETCH, OP_STORE, OP_CFETCH, OP_CSTORE, OP_PSTORE,
	OP_COUNT
};

/* A helper: a word written in C. It finds its arguments at regs->sp (the
 * top cell first), already checked to be there, and leaves its results
 * there, room for them checked too. Returns 0 or an error code. */
typedef int lang_helper_fn(struct lang_regs *regs);

/* The code region and where the compiler is in it. */
struct emit {
	uint8_t *base;
	size_t size;
	size_t pos;       /* the next byte to write */
	bool full;        /* set by an emit that did not fit; nothing was written */
	size_t enter;     /* offsets of the runtime emit_runtime wrote */
	size_t exit;
	size_t stub[LANG_RT_STUBS];
	size_t stub_helper;
};

/* Enter generated code at `code` with the machine `regs`: returns 0 when
 * the code returned, else the error of the check that failed (its address
 * in regs->fault_pc). */
typedef int lang_enter_fn(struct lang_regs *regs, const void *code);

/* Write the runtime (the entry, the exit and the error stubs) at the start
 * of the region; false if the region is too small. */
bool emit_runtime(struct emit *e);
lang_enter_fn *emit_enter_fn(const struct emit *e);

/* A native word, with its checks. */
void emit_op(struct emit *e, enum lang_op op);
/* Stack effect of a native word: cells taken and cells left. */
void emit_op_effect(enum lang_op op, int *in, int *out);
/* Push a constant. */
void emit_literal(struct emit *e, int64_t v);
/* Call a helper that takes `in` cells and leaves `out`. */
void emit_helper(struct emit *e, lang_helper_fn *fn, int in, int out);
/* Call the defined word at offset `target`. */
void emit_call(struct emit *e, size_t target);
/* A defined word's prologue (the return stack and budget checks). */
void emit_prologue(struct emit *e);
/* Return from a word, first dropping `loops` do-loops' index and limit. */
void emit_return(struct emit *e, int loops);
/* The budget check of a backward branch. */
void emit_step(struct emit *e);

/* Branches. The forward ones return where their target is patched
 * (emit_patch), once it is known. */
size_t emit_branch_if_zero(struct emit *e);   /* pops a cell; jumps if 0 */
size_t emit_jump(struct emit *e);
void emit_patch(struct emit *e, size_t at, size_t target);
/* do: pops limit and start; skips the loop (to the patched target) unless
 * start < limit, else keeps index and limit on the return stack. */
size_t emit_do(struct emit *e);
/* loop: steps the index; back to `top` while index < limit; then drops them. */
void emit_loop(struct emit *e, size_t top);

#endif
