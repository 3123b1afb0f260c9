/*
 * Starting application processors: INIT, then start-up IPIs pointing at the
 * code in the architecture's ap_boot.S, one hart at a time. The boot hart waits for
 * each to report in (bounded), so a hart that does not start is reported,
 * stopped with another INIT and skipped, never waited on forever.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/gdt.h"
#include "arch/smp_boot.h"
#include "arch/trap.h"
#include "arch/vm.h"
#include "core/hart.h"
#include "core/thread.h"
#include "kernel/bootopt.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "kernel/kstack.h"
#include "kernel/panic.h"
#include "kernel/platform.h"
#include "kernel/smp.h"
#include "core/systab.h"
#include "kernel/time.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define IDLE_STACK_PAGES 4
/* Generous: under emulation on a loaded host a hart's start can take tens of
 * milliseconds where real hardware takes well under one. */
#define START_TIMEOUT_NS 1000000000ull /* 1 s */

/* APIC ids kept out of the system (smp_keep_out), with who asked. */
static struct {
	uint32_t apic_id;
	const char *by;
} kept_out[HART_MAX];
static uint32_t kept_count;
static bool booted; /* smp_boot has run: too late to keep a hart out */

static struct arch_hart arch_harts[HART_MAX];
static struct thread idle_threads[HART_MAX];
static volatile uint32_t hart_online;

static void delay_ns(uint64_t ns)
{
	uint64_t end = time_now_ns() + ns;

	while (time_now_ns() < end)
		cpu_relax();
}

/* First C code of an application processor, on its idle stack. */
__attribute__((noreturn)) static void ap_main(uint64_t id)
{
	struct hart *h = &harts[id];

	vm_switch_to_kernel_tables();
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)h);
	if (gdt_init_hart(&arch_harts[id]))
		panic("hart %llu: no memory for interrupt stacks", (unsigned long long)id);
	h->arch = &arch_harts[id];
	idt_load();
	fpu_init_hart();
	apic_init_hart();
	time_init_hart();
	platform_init_hart();
	sched_init_hart((uint32_t)id, &idle_threads[id], &idle_threads[id]);
	__atomic_store_n(&hart_online, (uint32_t)id, __ATOMIC_RELEASE);
	sched_run_idle();
}

static bool start_one(uint32_t id, uint32_t apic, uint64_t boot_cr3)
{
	struct ap_boot_params *p = (void *)((char *)phys_to_virt(AP_BOOT_PHYS) +
					    (ap_boot_params - ap_boot_start));
	struct thread *idle = &idle_threads[id];
	uintptr_t stack = kstack_alloc(IDLE_STACK_PAGES);
	uint64_t t0, deadline;

	if (!stack) {
		kprintf("smp: no memory for hart %u's stack\n", id);
		return false;
	}
	harts[id].self = &harts[id];
	harts[id].id = id;
	harts[id].apic_id = apic;
	systab_install(&harts[id]);
	idle->flags = THREAD_STATIC;
	idle->stack_base = stack;
	idle->stack_top = stack + IDLE_STACK_PAGES * PAGE_SIZE;
	idle->id = 0;
	memcpy(idle->name, "idle", 5);

	p->cr3 = boot_cr3;
	p->efer = (1u << 8) | (vm_nx_enabled() ? (1u << 11) : 0);
	p->stack = idle->stack_top;
	p->entry = (uint64_t)(uintptr_t)ap_main;
	p->arg = id;
	__atomic_store_n(&hart_online, 0, __ATOMIC_RELEASE);

	t0 = time_now_ns();
	apic_send_init(apic);
	delay_ns(10000000);                       /* 10 ms, as the MP spec asks */
	apic_send_sipi(apic, AP_BOOT_PHYS >> 12);
	delay_ns(200000);
	if (__atomic_load_n(&hart_online, __ATOMIC_ACQUIRE) != id)
		apic_send_sipi(apic, AP_BOOT_PHYS >> 12);
	deadline = time_now_ns() + START_TIMEOUT_NS;
	while (__atomic_load_n(&hart_online, __ATOMIC_ACQUIRE) != id) {
		if (time_now_ns() > deadline) {
			/* INIT puts it back to waiting for a start-up IPI, so a
			 * late start cannot run it under the id of the next. */
			apic_send_init(apic);
			kstack_free(stack, IDLE_STACK_PAGES);
			kprintf("smp: hart %u (APIC %u) did not start; skipped\n", id, apic);
			return false;
		}
		cpu_relax();
	}
	kprintf("smp: hart %u (APIC %u) up in %llu us\n", id, apic,
		(unsigned long long)(time_now_ns() - t0) / 1000);
	return true;
}

void smp_start(const uint32_t *apic_ids, uint32_t count)
{
	uint32_t me = harts[0].apic_id, n = 1;
	uint64_t cr3;

	if (count <= 1)
		return;
	memcpy(phys_to_virt(AP_BOOT_PHYS), ap_boot_start, (size_t)(ap_boot_end - ap_boot_start));
	cr3 = vm_make_ap_boot_tables();
	for (uint32_t i = 0; i < count && n < HART_MAX; i++) {
		if (apic_ids[i] == me)
			continue;
		if (start_one(n, apic_ids[i], cr3)) {
			n++;
			__atomic_store_n(&hart_count, n, __ATOMIC_RELEASE);
		}
	}
	vm_free_ap_boot_tables(cr3);
	kprintf("smp: %u harts running\n", n);
}

enum lm_err smp_keep_out(uint32_t apic_id, const char *by)
{
	bool listed = false;

	if (booted)
		return LM_ERR_BUSY;
	if (apic_id == harts[0].apic_id)
		return LM_ERR_INVAL;
	for (uint32_t i = 0; i < firmware.cpu_count; i++)
		listed |= firmware.cpus[i].enabled && firmware.cpus[i].apic_id == apic_id;
	if (!listed)
		return LM_ERR_NOENT;
	for (uint32_t i = 0; i < kept_count; i++)
		if (kept_out[i].apic_id == apic_id)
			return LM_OK;
	if (kept_count == HART_MAX)
		return LM_ERR_FULL;
	kept_out[kept_count].apic_id = apic_id;
	kept_out[kept_count++].by = by;
	return LM_OK;
}

static const char *kept_by(uint32_t apic_id)
{
	for (uint32_t i = 0; i < kept_count; i++)
		if (kept_out[i].apic_id == apic_id)
			return kept_out[i].by;
	return NULL;
}

void smp_boot(void)
{
	uint32_t ids[ACPI_MAX_CPUS], n = 0;
	const char *by;

	booted = true;
	for (uint32_t i = 0; i < firmware.cpu_count; i++) {
		if (!firmware.cpus[i].enabled)
			continue;
		if ((by = kept_by(firmware.cpus[i].apic_id))) {
			kprintf("smp: APIC id %u kept out (%s)\n", firmware.cpus[i].apic_id, by);
			continue;
		}
		ids[n++] = firmware.cpus[i].apic_id;
	}
	smp_start(ids, n);
}

BOOTOPT(sched, "harts in the main scheduler, e.g. 0-2 or 0,2 (default: all)");

void smp_schedule(void)
{
	uint64_t all, mask;
	const char *opt = bootopt_get("sched");
	char err[96];

	all = hart_count >= 64 ? ~0ull : (1ull << hart_count) - 1;
	mask = all;
	if (opt && cmdline_parse_harts(opt, hart_count, &mask, err, sizeof err) != LM_OK) {
		char shown[4 * 64 + 1];

		fmt_escape(shown, sizeof shown, opt, strlen(opt));
		kprintf("sched=%s: %s; every hart schedules\n", shown, err);
		mask = all;
	}
	for (uint32_t i = 0; i < hart_count; i++)
		if (mask & (1ull << i))
			sched_hart_join(i);
	if (!(mask & 1))
		sched_hart_leave(0);
	kprintf("sched: harts 0x%llx in the main scheduler, 0x%llx idle until told otherwise\n",
		(unsigned long long)mask, (unsigned long long)(all & ~mask));
}

void smp_stop_others(void)
{
	for (uint32_t i = 0; i < hart_count; i++)
		if (&harts[i] != this_hart())
			apic_send_ipi(harts[i].apic_id, VEC_STOP);
}
