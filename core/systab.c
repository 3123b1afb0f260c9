/*
 * The system table's shared part (see systab.h): the door routines and the
 * installer. The routines check what a program gives them with the home's
 * systab_readable before the hallway reads it.
 */
#include <lemmings/systab.h>

#include "arch/layout.h"
#include "core/hallway.h"
#include "core/hart.h"
#include "core/systab.h"
#include "lib/string.h"

/* Page by page, so that a bound far beyond the text asks only about the
 * pages up to its NUL. */
size_t systab_log_length(const char *text, size_t len)
{
	size_t done = 0;

	if (len > SYSTAB_LOG_MAX)
		len = SYSTAB_LOG_MAX;
	while (done < len) {
		const char *p = text + done;
		size_t chunk = PAGE_SIZE - ((uintptr_t)p & (PAGE_SIZE - 1));
		size_t before_nul;

		if (chunk > len - done)
			chunk = len - done;
		if (!systab_readable(p, chunk))
			break;
		before_nul = strnlen(p, chunk);
		if (before_nul < chunk)
			return done + before_nul;
		done += chunk;
	}
	return done;
}

static const struct lm_door *sys_door_list(uint64_t *cookie)
{
	if (!systab_readable(cookie, sizeof *cookie))
		return NULL;
	return hallway_list(cookie);
}

static const struct lm_door *sys_door_find(const struct lm_api_id *id)
{
	if (!systab_readable(id, sizeof *id))
		return NULL;
	return hallway_find(id);
}

/*
 * The whole door (header and routines) must be readable. The routine count
 * is checked against the cap before the door's size is computed from it: a
 * count of 2^61 would wrap the size to the header's alone, and a check of
 * that size would let a table that is not there into the hallway.
 */
static enum lm_err sys_door_register(const struct lm_door *door)
{
	if (!systab_readable(door, sizeof *door))
		return LM_ERR_FAULT;
	if (!systab_readable(door->name, 1))
		return LM_ERR_FAULT;
	if (door->routine_count > SYSTAB_DOOR_ROUTINES_MAX)
		return LM_ERR_INVAL;
	if (!systab_readable(door, sizeof *door + door->routine_count * 8))
		return LM_ERR_FAULT;
	return hallway_register(door);
}

/* LM_SYS_MEMORY_CHECK: what a door asks of a caller's buffer. */
static enum lm_err sys_memory_check(const void *p, size_t len, bool write)
{
	uintptr_t a = (uintptr_t)p;

	if (!len)
		return LM_OK;
	if (!p || a + len < a)
		return LM_ERR_FAULT;
	if (write ? !systab_writable(p, len) : !systab_readable(p, len))
		return LM_ERR_FAULT;
	return LM_OK;
}

void systab_install(struct hart *h)
{
	h->systab[LM_SYS_LOG] = systab_log;
	h->systab[LM_SYS_PANIC] = systab_panic;
	h->systab[LM_SYS_DOOR_LIST] = sys_door_list;
	h->systab[LM_SYS_DOOR_FIND] = sys_door_find;
	h->systab[LM_SYS_DOOR_REGISTER] = sys_door_register;
	h->systab[LM_SYS_MEMORY_CHECK] = sys_memory_check;
}
