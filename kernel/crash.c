/*
 * Deliberate crashes, for testing what the system does about them:
 *
 *	crash=fault    a thread writes to an unmapped page (it is stopped)
 *	crash=double   a double fault (the kernel reports it and halts)
 *	crash=spin     a thread spins on the last hart while another waits
 *	               behind it (the watchdog names it; the other harts go on)
 */
#include "arch/trap.h"
#include "core/hart.h"
#include "core/thread.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "lib/string.h"

BOOTOPT(crash, "crash on purpose after boot: 'fault' (a thread faults), "
	       "'double' (a double fault) or 'spin' (a thread keeps the last hart from another)");

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

static void spinning_thread(void *arg)
{
	for (;;)
		__builtin_ia32_pause();
}

static void starved_thread(void *arg)
{
	kprintf("crash: the starved thread ran after all\n");
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
	} else if (!strcmp(what, "spin")) {
		int last = (int)hart_count - 1;

		if (!last) {
			kprintf("crash: spin needs two harts (one keeps booting)\n");
			return;
		}
		kprintf("crash: starting a thread that spins on hart %d, and one behind it\n",
			last);
		o = (struct thread_opts){.entry = spinning_thread, .priority = PRIO_REGULAR,
					 .name = "spinner", .hart = last};
		thread_spawn(&o, NULL);
		o = (struct thread_opts){.entry = starved_thread, .priority = PRIO_REGULAR,
					 .name = "starved", .hart = last};
		thread_spawn(&o, NULL);
	} else {
		kprintf("crash: unknown kind (fault, double, spin)\n");
	}
}
