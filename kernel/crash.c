/*
 * Deliberate crashes, for testing what the system does about them:
 *
 *	crash=fault    a thread writes to an unmapped page (it is stopped)
 *	crash=double   a double fault (the kernel reports it and halts)
 */
#include "arch/trap.h"
#include "core/thread.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "lib/string.h"

BOOTOPT(crash, "crash on purpose after boot: 'fault' (a thread faults) or "
	       "'double' (a double fault)");

__attribute__((noinline)) void crash_write_unmapped(void);
__attribute__((noinline)) void crash_write_unmapped(void)
{
	*(volatile uint64_t *)0xffffd0fff0000000ull = 1;
	__asm__ volatile("" ::: "memory");
}

static void faulting_thread(void *arg)
{
	crash_write_unmapped();
}

/* Take the page-fault gate away, then fault: delivering the page fault
 * raises "segment not present", and two contributory faults in a row are a
 * double fault. */
__attribute__((noinline)) static void crash_double_fault(void)
{
	idt_set_present(VEC_PAGE_FAULT, false);
	idt_set_present(11, false);
	crash_write_unmapped();
}

void crash_on_request(void)
{
	const char *what = bootopt_get("crash");
	struct thread_opts o = {.entry = faulting_thread, .priority = PRIO_REGULAR,
				.name = "crasher", .hart = -1};

	if (!what)
		return;
	if (!strcmp(what, "fault")) {
		kprintf("crash: starting a thread that will fault\n");
		thread_spawn(&o, NULL);
	} else if (!strcmp(what, "double")) {
		kprintf("crash: provoking a double fault\n");
		crash_double_fault();
	} else {
		kprintf("crash: unknown kind '%s' (fault, double)\n", what);
	}
}
