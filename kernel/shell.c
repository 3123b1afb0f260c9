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
 * Input: by interrupt. The shell's thread binds ISA IRQ 4 (the UART's,
 * through the I/O APIC: kernel/intr.h) to an event bit of its own, turns
 * the UART's receive interrupt on, and waits for the bit; each wake-up
 * reads the UART empty (the line is edge-triggered: a byte left behind
 * would raise no new edge). The wait also ends after a second, a safety
 * net that costs one wake-up a second. If the interrupt cannot be bound
 * (no I/O APIC), the thread polls instead: it sleeps on the timer (10 ms;
 * 2 ms for a while after a byte came, so that pasted text flows), and a
 * real 16550 at 115200 baud may then drop what overflows its 16-byte FIFO
 * in one sleep.
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
 *   console-irqs  ( -- n ) the receive interrupts taken so far (0: polled)
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
#include "kernel/intr.h"
#include "kernel/lang_kernel.h"
#include "kernel/poweroff.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "services/shell.h"

BOOTOPT(shell, "off: no shell on the serial console after init");

#define KSHELL_BUDGET 1000000000ull
#define KSHELL_IDLE_NS 10000000ull
#define KSHELL_BUSY_NS 2000000ull
#define KSHELL_BUSY_ROUNDS 50 /* 2 ms sleeps after a byte, then 10 ms */
#define KSHELL_RX_BIT 0       /* the event bit ISA IRQ 4 raises */
#define KSHELL_IRQ_WAIT_NS 1000000000ull /* the interrupt's safety net */

static struct shell sh;
static bool by_interrupt;
static uint32_t rx_binding;

/* Bind the UART's interrupt to this thread's event bit; on failure the
 * input is polled (said once). */
static void input_by_interrupt(void)
{
	uint64_t handle;
	uint32_t hart;
	uint8_t vector;
	enum lm_err err = thread_current_handle(&handle);

	if (!err)
		err = intr_bind_isa(4, handle, KSHELL_RX_BIT, INTR_HART_ANY, &rx_binding);
	if (err) {
		kprintf("shell: console input polled (ISA IRQ 4: %s)\n", lm_err_str(err));
		return;
	}
	serial_rx_interrupts(true);
	by_interrupt = true;
	if (intr_where(rx_binding, &vector, &hart) == LM_OK)
		kprintf("shell: console input by interrupt (ISA IRQ 4, vector 0x%x, hart %u)\n",
			vector, hart);
}

/* Until input may have come: the interrupt's bit (or a second), or the
 * polling sleep, shorter while *busy counts down after a byte. */
static void wait_input(unsigned *busy)
{
	if (by_interrupt) {
		timer_wait_until(1ull << KSHELL_RX_BIT, time_now_ns() + KSHELL_IRQ_WAIT_NS);
		return;
	}
	if (*busy)
		(*busy)--;
	timer_sleep_ns(*busy ? KSHELL_BUSY_NS : KSHELL_IDLE_NS);
}

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

/* ( -- n ) the console's receive interrupts so far (0 when polled) */
static int h_console_irqs(struct lang_regs *regs)
{
	uint64_t n = 0;

	if (by_interrupt)
		intr_count(rx_binding, &n);
	regs->sp -= 8;
	*(uint64_t *)(uintptr_t)regs->sp = n;
	return 0;
}

static const struct lang_word_def kernel_words[] = {
	{ "reboot", h_reboot, 0, 0 },
	{ "poweroff", h_poweroff, 0, 0 },
	{ "console-irqs", h_console_irqs, 0, 1 },
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
	input_by_interrupt();
	kprintf("shell: the console runs the init language: type a line, or help\n");
	while ((c = serial_getc()) < 0)
		wait_input(&busy);
	first = (char)c;
	shell_init(&sh, console_write_from, NULL, "console"); /* `type` hands over any address */
	sh.endless = true;
	sh.quiet = true;
	sh.pointer_ok = pointer_ok;
	err = lang_kernel_new(shell_output, &sh, &vm);
	if (!err)
		err = shell_attach(&sh, vm, true, kernel_words,
				   sizeof kernel_words / sizeof kernel_words[0],
				   "  reboot  poweroff           the machine (QEMU exits; else ACPI S5)\n"
				   "  console-irqs ( -- n )      the console's receive interrupts so far\n"
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
		wait_input(&busy);
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
