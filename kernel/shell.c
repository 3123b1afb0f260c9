/*
 * The init language's shell on the serial console (docs/init.md, "The
 * shell"): after init has started the programs, COM1 is an interactive
 * prompt running the shared shell (services/shell.c) on a machine of the
 * kernel's (kernel/lang_kernel.c: the hardware words, any address open to
 * @ and !, a CPU fault ending the command and not the shell).
 *
 * Owns: the console's shell and its thread ("shell"), made by kshell_start
 * unless the boot option shell=off; the machine (about 140 pages) only
 * once the first key comes.
 *
 * Input: polled, not by interrupt. The shell's thread reads the UART and
 * sleeps on the timer whenever nothing is waiting (10 ms; 2 ms for a while
 * after a byte came, so that pasted text flows): no hart spins. QEMU's
 * UART holds input back until its FIFO has room, so nothing is lost
 * there; a real 16550 at 115200 baud drops what exceeds its 16-byte FIFO
 * in one sleep. The UART's interrupt (ISA IRQ 4 through the I/O APIC)
 * would remove both the latency and the loss; it is not used yet.
 *
 * Output: through console_write_from (a copy first: `type` hands over any
 * address), so a line of the shell and a kernel message do not tear each
 * other; the editor echoes, the other end being a terminal. The first
 * prompt waits for the first key: until then the console is the boot's and
 * the programs' log, whose lines must not start after a bare "> " (the
 * tests match them from the line's start).
 *
 * The kernel's own words, beside the shell's and the hardware words:
 *
 *   reboot     the keyboard controller's reset line (0xfe to port 0x64),
 *              then the PCI reset register (0x06 to port 0xcf9); QEMU
 *              started with -no-reboot exits instead
 *   poweroff   QEMU's isa-debug-exit device if there is one (tools/qemu-run
 *              adds it: QEMU exits with status 1); else ACPI soft-off, S5
 *              (kernel/poweroff.c: the FADT's PM1 control blocks and the
 *              DSDT's \_S5 sleep types), which QEMU and real machines obey
 *
 * Locking: the shell is its thread's alone.
 */
#include "kernel/shell.h"

#include "arch/cpu.h"
#include "arch/qemu.h"
#include "arch/serial.h"
#include "arch/vm.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/lang_kernel.h"
#include "kernel/poweroff.h"
#include "lib/string.h"
#include "services/shell.h"

BOOTOPT(shell, "off: no shell on the serial console after init");

#define KSHELL_BUDGET 1000000000ull
#define KSHELL_IDLE_NS 10000000ull
#define KSHELL_BUSY_NS 2000000ull
#define KSHELL_BUSY_ROUNDS 50 /* 2 ms sleeps after a byte, then 10 ms */

static struct shell sh;

/* A door call's pointer must at least be mapped (services/doorcall.c). */
static bool pointer_ok(uint64_t addr)
{
	return vm_readable((uintptr_t)addr, 1);
}

static int h_reboot(struct lang_regs *regs)
{
	shell_printf(&sh, "reboot: resetting through the keyboard controller\n");
	outb(0x64, 0xfe);
	timer_sleep_ns(100000000);
	shell_printf(&sh, "reboot: trying the PCI reset register\n");
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	timer_sleep_ns(100000000);
	return LANG_ERR_LM + LM_ERR_UNSUPPORTED;
}

static int h_poweroff(struct lang_regs *regs)
{
	char why[120];
	enum lm_err err;

	shell_printf(&sh, "poweroff: through QEMU's isa-debug-exit\n");
	qemu_exit(true);
	shell_printf(&sh, "poweroff: no isa-debug-exit device; ACPI soft-off (S5)\n");
	err = acpi_poweroff(why, sizeof why);
	shell_printf(&sh, "poweroff: %s\n", why);
	return LANG_ERR_LM + err;
}

static const struct lang_word_def kernel_words[] = {
	{ "reboot", h_reboot, 0, 0 },
	{ "poweroff", h_poweroff, 0, 0 },
};

/* The shell's machine (code, data and its stacks, about 140 pages) is made
 * at the first key, not at boot: a system no one types at pays only for
 * the thread, and programs that count free pages while they run (tests
 * among them) do not see the shell take its pages in the middle. */
static void kshell_thread(void *arg)
{
	struct lang_vm *vm;
	unsigned busy = KSHELL_BUSY_ROUNDS;
	enum lm_err err;
	char first;
	int c;

	(void)arg;
	kprintf("shell: the console runs the init language: type a line, or help\n");
	while ((c = serial_getc()) < 0)
		timer_sleep_ns(KSHELL_IDLE_NS);
	first = (char)c;
	shell_init(&sh, console_write_from, NULL, "console"); /* `type` hands over any address */
	sh.endless = true;
	sh.quiet = true;
	sh.pointer_ok = pointer_ok;
	err = lang_kernel_new(shell_output, &sh, &vm);
	if (!err)
		err = shell_attach(&sh, vm, true, kernel_words, 2,
				   "  reboot  poweroff           the machine (QEMU exits; else ACPI S5)\n"
				   "  inb inw inl outb outw outl  mmio@8..64 mmio!8..64  rdmsr wrmsr\n"
				   "  cpuid  pci-count  pci-cfg@ pci-cfg!   the hardware (docs/init.md)\n");
	if (err) {
		kprintf("shell: cannot start the console's shell: %s\n", lm_err_str(err));
		return;
	}
	lang_set_budget(vm, KSHELL_BUDGET);
	shell_feed(&sh, &first, 1);
	for (;;) {
		char buf[64];
		size_t n = 0;

		while (n < sizeof buf && (c = serial_getc()) >= 0)
			buf[n++] = (char)c;
		if (n) {
			shell_feed(&sh, buf, n);
			busy = KSHELL_BUSY_ROUNDS;
			continue;
		}
		if (busy)
			busy--;
		timer_sleep_ns(busy ? KSHELL_BUSY_NS : KSHELL_IDLE_NS);
	}
}

void kshell_start(void)
{
	const char *opt = bootopt_get("shell");
	struct thread_opts o = {
		.entry = kshell_thread, .stack_pages = LANG_KERNEL_STACK_PAGES + 8,
		.name = "shell", .hart = -1,
	};

	if (opt && strcmp(opt, "off") == 0)
		return;
	if (thread_spawn(&o, NULL) != LM_OK)
		kprintf("shell: no thread for the console's shell\n");
}
