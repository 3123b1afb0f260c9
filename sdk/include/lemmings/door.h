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
