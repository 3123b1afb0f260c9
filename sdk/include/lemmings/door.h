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
