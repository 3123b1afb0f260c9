/*
 * The system table in the hosted runtime: the same five routines as the
 * kernel's (kernel/systab.c), at the GS base of every hart, so programs
 * call them the same way. log writes to standard output with one write(2)
 * per call (no stdio buffering on a 4 KiB thread stack, and lines from
 * several harts never interleave within a call); panic stops the calling
 * thread, as in the kernel.
 */
#include <lemmings/systab.h>

#include "core/hallway.h"
#include "core/hart.h"
#include "core/thread.h"
#include "hosted/hosted.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define LOG_MAX 4096

static void sys_log(const char *text, size_t len)
{
	if (!text)
		return;
	if (len > LOG_MAX)
		len = LOG_MAX;
	hosted_console_write(text, len); /* on the hart stack */
}

__attribute__((noreturn)) static void sys_panic(const char *text, size_t len)
{
	char line[160];
	struct thread *t = thread_current();

	fmt_snprintf(line, sizeof line, "[thread %llu %s] panic: %.*s\n",
		     (unsigned long long)t->id, t->name, text ? (int)(len < 100 ? len : 100) : 0,
		     text ? text : "");
	sys_log(line, strnlen(line, sizeof line));
	thread_exit();
}

static const struct lm_door *sys_door_list(uint64_t *cookie)
{
	return cookie ? hallway_list(cookie) : NULL;
}

static const struct lm_door *sys_door_find(const struct lm_api_id *id)
{
	return hallway_find(id);
}

static enum lm_err sys_door_register(const struct lm_door *door)
{
	return hallway_register(door);
}

void hosted_systab_install(struct hart *h)
{
	h->systab[LM_SYS_LOG] = sys_log;
	h->systab[LM_SYS_PANIC] = sys_panic;
	h->systab[LM_SYS_DOOR_LIST] = sys_door_list;
	h->systab[LM_SYS_DOOR_FIND] = sys_door_find;
	h->systab[LM_SYS_DOOR_REGISTER] = sys_door_register;
}
