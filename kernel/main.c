/*
 * kmain: the boot hart's path from the boot assembly to the scheduler.
 *
 * Order matters: the hart-local pointer first (everything reads it), the
 * console (so that every later step can explain a failure), the boot
 * information (before any allocation could overwrite it), memory, traps,
 * time, then threads. The boot context becomes hart 0's idle thread.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/gdt.h"
#include "arch/layout.h"
#include "arch/qemu.h"
#include "arch/trap.h"
#include "arch/upcalls.h"
#include "arch/vm.h"
#include "core/hart.h"
#include "core/systab.h"
#include "core/thread.h"
#include "kernel/aspace.h"
#include "kernel/boot.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/crash.h"
#include "kernel/firmware.h"
#include "kernel/intr.h"
#include "kernel/irq_door.h"
#include "kernel/ktest.h"
#include "kernel/memmap.h"
#include "kernel/panic.h"
#include "kernel/pci.h"
#include "kernel/memory_door.h"
#include "kernel/pci_door.h"
#include "kernel/platform.h"
#include "kernel/linux/load.h"
#include "kernel/process.h"
#include "kernel/shell.h"
#include "kernel/pmm.h"
#include "kernel/smp.h"
#include "kernel/stage.h"
#include "kernel/time.h"
#include "kernel/watchdog.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/loader.h"
#include "services/services.h"

#define LEMMINGS_VERSION "0.1"

extern char __kernel_phys_start[], __kernel_phys_end[];
extern char boot_stack_bottom[], boot_stack_top[];

void kmain(uint32_t magic, uint32_t info);

static struct arch_hart boot_arch;
static struct thread boot_thread = {.name = "boot/idle0", .flags = THREAD_STATIC};

/* The kernel's page tables, with RAM and the firmware's tables of the resolved
 * memory map (kernel/memmap.h, as pmm_init built it) in the
 * direct map ("reserved" ranges are often device memory, which vm_map_mmio
 * maps uncached on request), and the first MiB, where firmware tables (the
 * EBDA, the BIOS area) that ACPI reads live. */
static void map_memory(void)
{
	static struct vm_range direct[MEMMAP_OUT_MAX(BOOT_MEM_MAX) + 1];
	const struct memmap_range *map;
	uint32_t count = pmm_memory_map(&map), n = 0;

	for (uint32_t i = 0; i < count; i++)
		if (map[i].type == BOOT_MEM_RAM || map[i].type == BOOT_MEM_ACPI ||
		    map[i].type == BOOT_MEM_NVS)
			direct[n++] = (struct vm_range){map[i].base, map[i].end};
	direct[n++] = (struct vm_range){0, 1 << 20};
	vm_init(direct, n);
}

static void hart_set_local(struct hart *h, uint32_t id)
{
	h->self = h;
	h->id = id;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)h);
}

static void print_memory_map(void)
{
	kprintf("memory map (%u entries, from %s):\n", boot_info.mem_count,
		boot_info.loader[0] ? boot_info.loader : "the boot loader");
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_range *m = &boot_info.mem[i];

		kprintf("  %016llx-%016llx %8llu KiB  %s\n", (unsigned long long)m->base,
			(unsigned long long)(m->base + m->len - 1),
			(unsigned long long)(m->len >> 10), memmap_type_name(m->type));
	}
}

static void reserve_boot_memory(void)
{
	pmm_reserve((uint64_t)(uintptr_t)__kernel_phys_start,
		    (uint64_t)(uintptr_t)__kernel_phys_end);
	for (uint32_t i = 0; i < boot_info.module_count; i++)
		pmm_reserve(boot_info.modules[i].start, boot_info.modules[i].end);
}

BOOTOPT(init, "the first program, from the boot archive (default /init)");
BOOTOPT(programs, "the list of programs init starts (default /etc/programs)");

/* The boot archive is the first Multiboot module, if there is one. The
 * Pci and Irq doors are the kernel's own (the hosted runtime has no PCI);
 * the Memory door has a home in each, this one over pmm
 * (kernel/memory_door.c). */
static void publish_services(void)
{
	const struct boot_module *m = boot_info.module_count ? &boot_info.modules[0] : NULL;

	services_publish(m ? phys_to_virt(m->start) : NULL, m ? (size_t)(m->end - m->start) : 0);
	pci_door_publish();
	memory_door_publish();
	aspace_door_publish();
	untrusted_boot();
	linux_boot();
	irq_door_publish();
}

/* Text the boot loader or the user gave, made safe to print (control
 * bytes as \xNN): one boot-time buffer, used by one message at a time. */
static const char *shown(const char *text)
{
	static char buf[4 * BOOT_CMDLINE_MAX + 1];

	fmt_escape(buf, sizeof buf, text, strlen(text));
	return buf;
}

static void start_init(void)
{
	const char *init = bootopt_get("init"), *list = bootopt_get("programs");
	char detail[160];
	enum lm_err err;

	if (!init || !*init)
		init = "/init";
	if (!list || !*list)
		list = "/etc/programs";
	err = program_start(init, list, NULL, detail, sizeof detail);
	if (err)
		kprintf("init: cannot start %s: %s (%s); the system is idle "
			"(Ctrl-A X leaves QEMU)\n", shown(init), detail, lm_err_str(err));
}

/* The shell, then init and its programs: from the boot thread, or from
 * the test runner's once a bench= selection has run (kernel/ktest.h). */
static void start_programs(void)
{
	kshell_start();
	start_init();
}

void kmain(uint32_t magic, uint32_t info)
{
	hart_set_local(&harts[0], 0);
	systab_install(&harts[0]);
	console_init();
	kprintf("\nLemmings " LEMMINGS_VERSION " (x86-64): many lightweight threads, "
		"doors for IPC, precise control\n");
	if (!multiboot_parse(magic, info)) {
		kprintf("boot: cannot continue without boot information; halted\n");
		hart_stop();
	}
	kprintf("boot loader: %s (Multiboot %u)\n",
		boot_info.loader[0] ? shown(boot_info.loader) : "unnamed", boot_info.protocol);
	kprintf("command line: \"%s\"%s\n", shown(boot_info.cmdline),
		boot_info.cmdline_truncated ? " (truncated)" : "");
	print_memory_map();
	for (uint32_t i = 0; i < boot_info.module_count; i++)
		kprintf("module %u: %llu bytes at 0x%llx \"%s\"\n", i,
			(unsigned long long)(boot_info.modules[i].end - boot_info.modules[i].start),
			(unsigned long long)boot_info.modules[i].start,
			shown(boot_info.modules[i].cmdline));
	bootopt_parse(boot_info.cmdline);

	reserve_boot_memory();
	pmm_init();
	map_memory();
	fpu_init_hart();
	idt_init();
	if (gdt_init_hart(&boot_arch))
		panic("no memory for hart 0's interrupt stacks");
	idt_load();
	harts[0].arch = &boot_arch;

	boot_thread.stack_base = (uintptr_t)boot_stack_bottom;
	boot_thread.stack_top = (uintptr_t)boot_stack_top;
	sched_init_hart(0, &boot_thread, &boot_thread);

	apic_init_hart();
	harts[0].apic_id = apic_id();
	firmware_read(harts[0].apic_id);
	stage_run(STAGE_ACPI); /* quirks may edit what was read (docs/quirks.md) */
	firmware_init();       /* the HPET, for time_init */
	time_init();
	time_init_hart();
	platform_init_hart();
	kprintf("memory: %llu MiB usable, %llu MiB free; no-execute %s\n",
		(unsigned long long)(pmm_total_pages() >> 8),
		(unsigned long long)(pmm_free_pages() >> 8),
		vm_nx_enabled() ? "on" : "unavailable");
	kprintf("time: TSC at %llu MHz (calibrated against %s), %s timer\n",
		(unsigned long long)(time_tsc_hz() / 1000000), time_calibration(),
		time_timer_mode());
	pci_init(); /* through the MCFG that firmware_init read */
	intr_init(); /* the I/O APICs the MADT lists, all masked */

	irq_enable();
	stage_run(STAGE_HARTS);
	smp_boot();
	stage_run(STAGE_SCHED); /* the other harts idle, outside the scheduler */
	smp_schedule();
	publish_services();
	watchdog_start();
	crash_on_request();
	stage_run(STAGE_PROGRAMS);
	/* The shell's thread before init's: its stack is taken now, while
	 * the boot thread still runs, not whenever the programs first leave
	 * this hart to it (a program counting free pages would see it). */
	if (!ktest_start(start_programs))
		start_programs();
	sched_run_idle();
}
