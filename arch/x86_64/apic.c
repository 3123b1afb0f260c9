/*
 * Local APIC, xAPIC mode. The register page is mapped uncached through the
 * direct map; every hart sees its own APIC at the same physical address.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/upcalls.h"
#include "arch/vm.h"

enum {
	APIC_ID = 0x20,
	APIC_TPR = 0x80,
	APIC_EOI = 0xb0,
	APIC_SVR = 0xf0,
	APIC_ICR_LOW = 0x300,
	APIC_ICR_HIGH = 0x310,
	APIC_LVT_TIMER = 0x320,
	APIC_LVT_LINT0 = 0x350,
	APIC_LVT_LINT1 = 0x360,
	APIC_LVT_ERROR = 0x370,
	APIC_TIMER_INIT = 0x380,
	APIC_TIMER_COUNT = 0x390,
	APIC_TIMER_DIV = 0x3e0,
};

#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define ICR_PENDING (1u << 12)

static volatile uint32_t *apic;
static bool tsc_deadline;

static inline uint32_t rd(uint32_t reg)
{
	return apic[reg / 4];
}

static inline void wr(uint32_t reg, uint32_t v)
{
	apic[reg / 4] = v;
}

void apic_init_hart(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t a, b, c, d;

	if (!apic) {
		uint64_t phys = base & 0xffffffffff000ull;
		enum lm_err err;
		void *regs;

		/* The 8259s would deliver on vectors 8..15, on top of exceptions. */
		outb(0x21, 0xff);
		outb(0xa1, 0xff);
		/* Without its local APIC no hart gets a timer or an IPI: no going on. */
		err = vm_map_mmio(phys, 4096, &regs);
		if (err)
			panic("apic: cannot map the local APIC's registers at 0x%llx (%s); "
			      "the kernel cannot run without them", (unsigned long long)phys,
			      lm_err_str(err));
		apic = regs;
		cpuid(1, 0, &a, &b, &c, &d);
		tsc_deadline = c & (1u << 24);
	}
	wrmsr(MSR_APIC_BASE, base | (1u << 11)); /* global enable */
	wr(APIC_TPR, 0);
	wr(APIC_LVT_LINT0, LVT_MASKED);
	wr(APIC_LVT_LINT1, LVT_MASKED);
	wr(APIC_LVT_ERROR, LVT_MASKED);
	wr(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	wr(APIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
	wr(APIC_EOI, 0);
}

uint32_t apic_id(void)
{
	return rd(APIC_ID) >> 24;
}

void apic_eoi(void)
{
	wr(APIC_EOI, 0);
}

uint64_t apic_msi_address(uint32_t apic_id_)
{
	return 0xfee00000u | ((apic_id_ & 0xff) << 12);
}

uint32_t apic_msi_data(uint8_t vector)
{
	return vector;
}

static void send_icr(uint32_t apic_id_, uint32_t low)
{
	bool irq = irq_save();

	while (rd(APIC_ICR_LOW) & ICR_PENDING)
		cpu_relax();
	wr(APIC_ICR_HIGH, apic_id_ << 24);
	wr(APIC_ICR_LOW, low);
	irq_restore(irq);
}

void apic_send_ipi(uint32_t apic_id_, uint8_t vector)
{
	send_icr(apic_id_, vector);
}

void apic_send_init(uint32_t apic_id_)
{
	send_icr(apic_id_, 0x4500); /* INIT, level assert */
}

void apic_send_sipi(uint32_t apic_id_, uint8_t page)
{
	send_icr(apic_id_, 0x4600 | page); /* start-up at page * 4 KiB */
}

bool apic_has_tsc_deadline(void)
{
	return tsc_deadline;
}

void apic_timer_deadline(uint64_t tsc)
{
	wr(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, tsc);
}

void apic_timer_oneshot(uint32_t ticks)
{
	wr(APIC_TIMER_DIV, 0xb); /* divide by 1 */
	wr(APIC_LVT_TIMER, VEC_TIMER);
	wr(APIC_TIMER_INIT, ticks ? ticks : 1);
}

void apic_timer_stop(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	wr(APIC_TIMER_INIT, 0);
}

uint32_t apic_timer_calibrate(uint64_t tsc_hz)
{
	uint64_t start, tsc_ticks = tsc_hz / 100; /* 10 ms */
	uint32_t left;

	wr(APIC_TIMER_DIV, 0xb);
	wr(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	wr(APIC_TIMER_INIT, 0xffffffff);
	start = rdtsc();
	while (rdtsc() - start < tsc_ticks)
		cpu_relax();
	left = rd(APIC_TIMER_COUNT);
	wr(APIC_TIMER_INIT, 0);
	return (uint32_t)((0xffffffffull - left) * 100);
}
