/*
 * Doors: the IPC mechanism of Lemmings.
 *
 * A door is a table of routines headed by a 128-bit API ID and a name. The
 * routines use the platform's C calling convention (System V AMD64), so
 * calling through a door is one indirect call in the caller's own thread.
 * The header layout below is ABI: programs built against one kernel find
 * doors in another.
 *
 * The IDL compiler (tools/idlc) generates, for each `door` in a .idl file, a
 * struct that starts with a struct lm_door and continues with one function
 * pointer per routine, in the order of the IDL, plus the API ID constant.
 */
#ifndef LEMMINGS_DOOR_H
#define LEMMINGS_DOOR_H

#include <stdint.h>

#include <lemmings/err.h>

/* The first 16 bytes of the SHA-256 of the interface's canonical form
 * (docs/idl.md). All zeroes is never a valid ID. */
struct lm_api_id {
	uint8_t bytes[16];
};

struct lm_door {
	struct lm_api_id api_id;
	const char *name;        /* the door's name in the IDL, e.g. "threads" */
	uint64_t routine_count;  /* function pointers following this header */
};

/*
 * A door described for callers that find its routines by name at run time
 * (the init language): idlc emits one struct lm_door_desc per door
 * (P_door_desc) in its header. Each routine's parameters, in the order of
 * the calling convention, and its result are kind letters (docs/idl.md,
 * section 4): b h w q unsigned integers of 8 to 64 bits (uptr is q),
 * B H W Q signed ones, p pointer, r routine, s sum, v null (a result
 * only), R a record passed by value.
 */
/*
 * Gates (docs/isolation.md): how an untrusted process's call of a routine
 * is checked and copied. idlc emits one struct lm_gate_desc per door
 * (P_gate_desc): for each routine its parameters, in order, and its result.
 * A parameter is an integer with its range (UINT, SINT: the low `size`
 * bytes of the register, extended, within [lo, hi] as unsigned or signed
 * 64-bit values), a pointer to `size` bytes of plain data (IN:
 * `constant`, copied in; INOUT: `shared` or `unique`, copied in and back
 * out), or a byte buffer (BYTES_IN, BYTES_INOUT, copied likewise): a
 * pointer whose length is the next parameter, a UINT of 8 bytes with the
 * length's range (also in the buffer's lo and hi). Plain data holds no
 * pointer, routine, or sum with a pointer variant. Anything else is NONE, and a routine with a NONE parameter, more
 * than five parameters, or a result that is not void or one word (WORD: an
 * integer, or a sum of integers) cannot be called through a gate.
 */
enum lm_gate_kind {
	LM_GATE_NONE, LM_GATE_UINT, LM_GATE_SINT, LM_GATE_IN, LM_GATE_INOUT,
	LM_GATE_VOID, LM_GATE_WORD, LM_GATE_BYTES_IN, LM_GATE_BYTES_INOUT,
};

struct lm_gate_param {
	uint8_t kind;  /* enum lm_gate_kind */
	uint32_t size; /* integers: bytes; pointers: bytes pointed at */
	uint64_t lo, hi;
};

struct lm_gate_routine {
	uint8_t nparams;
	uint8_t result; /* LM_GATE_VOID, LM_GATE_WORD or LM_GATE_NONE */
	const struct lm_gate_param *params;
	const char *why; /* NONE: why no gate can call it ("parameter 2 (entry)
			  * is a routine"); else NULL */
};

struct lm_gate_desc {
	struct lm_api_id api_id;
	uint64_t routine_count;
	const struct lm_gate_routine *routines;
};

/* The gate's syscalls (rax): 0 exit (status in rdi); 1 find (rdi: a
 * struct lm_api_id): a door token, or an lm_err code; a call: the token
 * shifted left 16 bits, or the routine's index, with the arguments in rdi,
 * rsi, rdx, r8, r9. rcx, r10 and r11 are clobbered. On return the carry
 * flag says whether the gate refused the call: set, rax holds the lm_err
 * code of the refusal and the routine did not run; clear, rax holds the
 * routine's result (a token, for find). So a refusal is never mistaken for
 * a result, whatever the routine's result range. */
#define LM_GATE_SYS_EXIT 0
#define LM_GATE_SYS_FIND 1
#define LM_GATE_TOKEN_SHIFT 16
#define LM_GATE_REFUSED_FLAG 0x1u /* RFLAGS.CF */

/* For untrusted programs (built with LM_UNTRUSTED): the generated
 * wrappers call through these. LM_OK and the routine's result in *result,
 * or the code of the gate's refusal (*result untouched). */
static inline enum lm_err lm_gate_call(const void *door, uint64_t routine, uint64_t a,
				       uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				       uint64_t *result)
{
	register uint64_t r8 __asm__("r8") = d;
	register uint64_t r9 __asm__("r9") = e;
	uint64_t rax = ((uint64_t)(uintptr_t)door << LM_GATE_TOKEN_SHIFT) | routine;
	_Bool refused;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(a), "+S"(b), "+d"(c), "+r"(r8), "+r"(r9),
			   "=@ccc"(refused)
			 :
			 : "rcx", "r10", "r11", "memory");
	if (refused)
		return (enum lm_err)rax;
	*result = rax;
	return LM_OK;
}

/* A token for the door with this ID if the process was granted any of its
 * routines, else NULL. A token is a number from 0x1000 up, never
 * dereferenced. */
static inline const void *lm_gate_find(const struct lm_api_id *id)
{
	uint64_t rax = LM_GATE_SYS_FIND;
	const struct lm_api_id *rdi = id;
	_Bool refused;

	__asm__ volatile("syscall" : "+a"(rax), "+D"(rdi), "=@ccc"(refused) : : "rcx", "rsi",
			 "rdx", "r8", "r9", "r10", "r11", "memory");
	return refused ? (const void *)0 : (const void *)(uintptr_t)rax;
}

struct lm_routine_desc {
	const char *name;
	const char *params;
	char result;
};

struct lm_door_desc {
	struct lm_api_id api_id;
	const char *name;
	uint64_t routine_count;
	const struct lm_routine_desc *routines;
};

static inline int lm_api_id_equal(const struct lm_api_id *a,
				  const struct lm_api_id *b)
{
	for (int i = 0; i < 16; i++)
		if (a->bytes[i] != b->bytes[i])
			return 0;
	return 1;
}

static inline int lm_api_id_is_zero(const struct lm_api_id *a)
{
	for (int i = 0; i < 16; i++)
		if (a->bytes[i])
			return 0;
	return 1;
}

#endif
