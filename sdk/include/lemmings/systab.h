/*
 * The system table: how a program reaches the system.
 *
 * The GS segment base of every hart points at a table of routine pointers;
 * entry N is called as `call *%gs:(8*N)`. The table is the only fixed entry
 * point: everything else (threads, timers, the archive, the loader...) is a
 * door found through LM_SYS_DOOR_FIND. Entries are ABI: append, never
 * renumber.
 */
#ifndef LEMMINGS_SYSTAB_H
#define LEMMINGS_SYSTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/door.h>
#include <lemmings/err.h>

enum lm_sys {
	LM_SYS_LOG = 0,           /* void log(const char *text, size_t len) */
	LM_SYS_PANIC = 1,         /* noreturn void panic(const char *text, size_t len) */
	LM_SYS_DOOR_LIST = 2,     /* const struct lm_door *door_list(uint64_t *cookie) */
	LM_SYS_DOOR_FIND = 3,     /* const struct lm_door *door_find(const struct lm_api_id *) */
	LM_SYS_DOOR_REGISTER = 4, /* enum lm_err door_register(const struct lm_door *) */
	LM_SYS_MEMORY_CHECK = 5,  /* enum lm_err memory_check(const void *, size_t, bool write) */
	LM_SYS_COUNT
};

typedef void lm_sys_log_fn(const char *text, size_t len);
typedef void lm_sys_panic_fn(const char *text, size_t len); /* never returns */
typedef const struct lm_door *lm_sys_door_list_fn(uint64_t *cookie);
typedef const struct lm_door *lm_sys_door_find_fn(const struct lm_api_id *id);
typedef enum lm_err lm_sys_door_register_fn(const struct lm_door *door);
typedef enum lm_err lm_sys_memory_check_fn(const void *p, size_t len, bool write);

/* Read system table entry n from the GS segment. */
static inline void *lm_sys_entry(enum lm_sys n)
{
	void *fn;

	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(fn) : "r"((uintptr_t)n * 8));
	return fn;
}

/* Write text to the console: up to len bytes, stopping at a NUL, at most
 * 4096 bytes a call. */
static inline void lm_log(const char *text, size_t len)
{
	((lm_sys_log_fn *)lm_sys_entry(LM_SYS_LOG))(text, len);
}

__attribute__((noreturn)) static inline void lm_panic(const char *text, size_t len)
{
	((lm_sys_panic_fn *)lm_sys_entry(LM_SYS_PANIC))(text, len);
	__builtin_unreachable();
}

/* Iterate over every registered door: start with *cookie = 0; returns NULL
 * after the last one. Doors never go away, so the walk is stable. */
static inline const struct lm_door *lm_door_list(uint64_t *cookie)
{
	return ((lm_sys_door_list_fn *)lm_sys_entry(LM_SYS_DOOR_LIST))(cookie);
}

static inline const struct lm_door *lm_door_find(const struct lm_api_id *id)
{
	return ((lm_sys_door_find_fn *)lm_sys_entry(LM_SYS_DOOR_FIND))(id);
}

/* Publish a door: what hallway_register returns (core/hallway.h), or
 * LM_ERR_FAULT if the door cannot be read, LM_ERR_INVAL if it claims more
 * than 4096 routines (SYSTAB_DOOR_ROUTINES_MAX, core/systab.h). */
static inline enum lm_err lm_door_register(const struct lm_door *door)
{
	return ((lm_sys_door_register_fn *)lm_sys_entry(LM_SYS_DOOR_REGISTER))(door);
}

/*
 * May len bytes at p be read (and written, if write) without a fault? LM_OK
 * if so (len 0 is always LM_OK), LM_ERR_FAULT if not: NULL, a range that
 * wraps, or one that reaches memory that is not mapped (or read-only, for
 * write). A door that takes a caller's buffer checks it with this before
 * it touches it. The kernel asks its page tables; the hosted runtime
 * refuses NULL and wrapping ranges only (there, a thread that passes any
 * other bad pointer faults and is stopped, docs/hosted.md). Programs share
 * one address space, so the answer can change if the owner unmaps: it
 * checks mistakes, it is not a lock.
 */
static inline enum lm_err lm_memory_check(const void *p, size_t len, bool write)
{
	return ((lm_sys_memory_check_fn *)lm_sys_entry(LM_SYS_MEMORY_CHECK))(p, len, write);
}

#endif
