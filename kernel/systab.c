/*
 * System table routines. They are called by programs with the C calling
 * convention, so every argument is outside input: pointers are checked to be
 * readable before use, and bad ones get an error or a message, never a
 * fault in the kernel's own code paths.
 */
#include <lemmings/systab.h>

#include "arch/vm.h"
#include "core/hallway.h"
#include "core/thread.h"
#include "kernel/console.h"
#include "kernel/fault.h"
#include "kernel/systab.h"
#include "lib/fmt.h"

#define LOG_MAX 4096

static void sys_log(const char *text, size_t len)
{
	if (len > LOG_MAX)
		len = LOG_MAX;
	if (!vm_readable((uintptr_t)text, len)) {
		kprintf("[thread %llu] log: text at %p is not readable memory\n",
			(unsigned long long)thread_current()->id, text);
		return;
	}
	console_write(text, len);
}

__attribute__((noreturn)) static void sys_panic(const char *text, size_t len)
{
	char reason[128];
	uint64_t *fp = __builtin_frame_address(0);

	if (len > sizeof reason - 8)
		len = sizeof reason - 8;
	if (vm_readable((uintptr_t)text, len))
		fmt_snprintf(reason, sizeof reason, "panic: %.*s", (int)len, text);
	else
		fmt_snprintf(reason, sizeof reason, "panic (message unreadable)");
	fault_kill_current(reason, fp[1], fp[0]);
}

static const struct lm_door *sys_door_list(uint64_t *cookie)
{
	if (!vm_readable((uintptr_t)cookie, sizeof *cookie))
		return NULL;
	return hallway_list(cookie);
}

static const struct lm_door *sys_door_find(const struct lm_api_id *id)
{
	if (!vm_readable((uintptr_t)id, sizeof *id))
		return NULL;
	return hallway_find(id);
}

static enum lm_err sys_door_register(const struct lm_door *door)
{
	if (!vm_readable((uintptr_t)door, sizeof *door))
		return LM_ERR_FAULT;
	if (!vm_readable((uintptr_t)door->name, 1))
		return LM_ERR_FAULT;
	if (!vm_readable((uintptr_t)door, sizeof *door + door->routine_count * 8))
		return LM_ERR_FAULT;
	return hallway_register(door);
}

void systab_install(struct hart *h)
{
	h->systab[LM_SYS_LOG] = sys_log;
	h->systab[LM_SYS_PANIC] = sys_panic;
	h->systab[LM_SYS_DOOR_LIST] = sys_door_list;
	h->systab[LM_SYS_DOOR_FIND] = sys_door_find;
	h->systab[LM_SYS_DOOR_REGISTER] = sys_door_register;
}
