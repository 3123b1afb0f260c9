/*
 * Result codes shared by the kernel, the hosted runtime, doors and programs.
 *
 * Every routine that can fail returns an enum lm_err (or carries one in its
 * result record); LM_OK is zero so that "if (err)" reads naturally. The
 * values are part of the door ABI: append new codes, never renumber.
 */
#ifndef LEMMINGS_ERR_H
#define LEMMINGS_ERR_H

enum lm_err {
	LM_OK = 0,
	LM_ERR_NOMEM = 1,       /* out of memory */
	LM_ERR_INVAL = 2,       /* invalid argument */
	LM_ERR_EXIST = 3,       /* already exists */
	LM_ERR_NOENT = 4,       /* not found */
	LM_ERR_FULL = 5,        /* a fixed-size table is full */
	LM_ERR_RANGE = 6,       /* value out of range */
	LM_ERR_FORMAT = 7,      /* malformed input */
	LM_ERR_UNSUPPORTED = 8, /* well-formed but not supported */
	LM_ERR_NOSPACE = 9,     /* out of address space */
	LM_ERR_BUSY = 10,       /* resource in use */
	LM_ERR_TIMEOUT = 11,    /* deadline passed */
	LM_ERR_FAULT = 12,      /* bad address */
	LM_ERR_IO = 13,         /* device error */
	LM_ERR_REFUSED = 14,    /* connection refused */
	LM_ERR_RESET = 15,      /* connection reset by the peer */
	LM_ERR_ADDRINUSE = 16,  /* address in use */
	LM_ERR_NOROUTE = 17,    /* no route to the address */
	LM_ERR_CLOSED = 18,     /* connection shut down for sending */
	LM_ERR_COUNT
};

/* A short lower-case description, e.g. "out of memory". */
static inline const char *lm_err_str(enum lm_err err)
{
	static const char *const names[LM_ERR_COUNT] = {
		[LM_OK] = "success",
		[LM_ERR_NOMEM] = "out of memory",
		[LM_ERR_INVAL] = "invalid argument",
		[LM_ERR_EXIST] = "already exists",
		[LM_ERR_NOENT] = "not found",
		[LM_ERR_FULL] = "table full",
		[LM_ERR_RANGE] = "out of range",
		[LM_ERR_FORMAT] = "malformed",
		[LM_ERR_UNSUPPORTED] = "unsupported",
		[LM_ERR_NOSPACE] = "out of address space",
		[LM_ERR_BUSY] = "busy",
		[LM_ERR_TIMEOUT] = "timed out",
		[LM_ERR_FAULT] = "bad address",
		[LM_ERR_IO] = "I/O error",
		[LM_ERR_REFUSED] = "connection refused",
		[LM_ERR_RESET] = "connection reset",
		[LM_ERR_ADDRINUSE] = "address in use",
		[LM_ERR_NOROUTE] = "no route to the address",
		[LM_ERR_CLOSED] = "connection closed",
	};

	if ((unsigned)err >= LM_ERR_COUNT)
		return "unknown error";
	return names[err];
}

#endif
