/*
 * The kernel's part of the system table (core/systab.h): log to the
 * console, stop a panicking thread like a faulting one, and check a
 * program's pointers against the page tables. Programs call these with the
 * C calling convention, so every argument is outside input: a bad pointer
 * gets a message, never a fault in the kernel's own code.
 */
#include <lemmings/systab.h>

#include "arch/vm.h"
#include "core/systab.h"
#include "core/thread.h"
#include "kernel/console.h"
#include "kernel/fault.h"
#include "lib/fmt.h"

bool systab_readable(const void *p, size_t len)
{
	return vm_readable((uintptr_t)p, len);
}

bool systab_writable(const void *p, size_t len)
{
	return vm_accessible((uintptr_t)p, len, true);
}

void systab_log(const char *text, size_t len)
{
	if (len && !vm_readable((uintptr_t)text, 1)) {
		kprintf("[thread %llu] log: text at %p is not readable memory\n",
			(unsigned long long)thread_current()->id, text);
		return;
	}
	console_write(text, systab_log_length(text, len));
}

/* Installed in the table as it is, so that its caller's frame is the
 * program's: the record names where the program panicked. */
__attribute__((noreturn)) void systab_panic(const char *text, size_t len)
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
