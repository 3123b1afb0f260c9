/*
 * Kernel panic: print, stop the other harts, stop. Under test (a `test=`
 * boot option), QEMU is told to exit with a failure status so that the
 * runner reports at once instead of waiting for its timeout.
 */
#include <stdarg.h>

#include "arch/cpu.h"
#include "arch/qemu.h"
#include "arch/trap.h"
#include "arch/upcalls.h"
#include "core/hart.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "kernel/smp.h"

static int panicking;

__attribute__((noreturn)) void hart_stop(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

__attribute__((noreturn)) void panic(const char *fmt, ...)
{
	uint64_t *fp = __builtin_frame_address(0);
	va_list ap;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		hart_stop(); /* another hart (or a nested panic) reports */
	smp_stop_others();
	kprintf("\n*** PANIC on hart %u: ", hart_id());
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_print(fp[1], fp[0], 0); /* from panic's caller on */
	kprintf("*** system halted\n");
	if (bootopt_get("test"))
		qemu_exit(false);
	hart_stop();
}
