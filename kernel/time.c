/*
 * The clock and timer interrupts.
 *
 * Calibration: against the HPET when the ACPI tables list one (its counter
 * period is given in femtoseconds, so 10 ms of it measures the TSC's rate
 * exactly, whatever happens in between: both counters run through any
 * delay); otherwise PIT channel 2 counts down 11932 ticks of 1.193182 MHz
 * (10 ms) while the TSC runs, three times, keeping the shortest interval's
 * rate (an interrupt or a slow emulator step can only lengthen it).
 * Conversion uses 32.32 fixed point: ns = tsc * ns_mult >> 32.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/vm.h"
#include "core/timer.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "kernel/time.h"
#include "kernel/trap.h"

#define PIT_HZ 1193182
#define PIT_TICKS 11932

#define HPET_CAPS 0x00       /* bits 63-32: counter period in femtoseconds */
#define HPET_CONFIG 0x10     /* bit 0: the main counter runs */
#define HPET_COUNTER 0xf0
#define HPET_MAX_PERIOD_FS 100000000ull /* the specification's limit: 100 ns */
#define FS_PER_S 1000000000000000ull

static uint64_t tsc_hz, tsc_base;
static uint64_t ns_mult;   /* ns per TSC tick, 32.32 */
static uint64_t tsc_mult;  /* TSC ticks per ns, 32.32 */
static uint32_t apic_hz;
static const char *calibrated_by = "the PIT";

static uint64_t pit_measure(void)
{
	uint64_t start, end;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0);                        /* channel 2, lo/hi, mode 0 */
	outb(0x42, PIT_TICKS & 0xff);
	outb(0x42, PIT_TICKS >> 8);
	start = rdtsc();
	while (!(inb(0x61) & 0x20))             /* output goes high at zero */
		;
	end = rdtsc();
	return end - start;
}

static uint64_t mmio_read64(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint64_t *)(base + off);
}

/* The TSC's rate measured over 10 ms of the HPET's counter, or 0 if the
 * HPET cannot be mapped (said on the console) or does not look sane (no
 * period, or a counter that does not move). */
static uint64_t hpet_tsc_hz(uint64_t phys)
{
	volatile uint8_t *hpet;
	uint64_t period, ticks, c0, c1, t0, t1;
	enum lm_err err;
	void *regs;

	err = vm_map_mmio(phys, 0x400, &regs);
	if (err) {
		kprintf("time: cannot map the HPET at 0x%llx (%s); calibrating against "
			"the PIT\n", (unsigned long long)phys, lm_err_str(err));
		return 0;
	}
	hpet = regs;
	period = mmio_read64(hpet, HPET_CAPS) >> 32;
	if (!period || period > HPET_MAX_PERIOD_FS)
		return 0;
	*(volatile uint64_t *)(hpet + HPET_CONFIG) |= 1;
	ticks = 10000000000000ull / period; /* 10 ms */
	c0 = mmio_read64(hpet, HPET_COUNTER);
	t0 = rdtsc();
	do {
		c1 = mmio_read64(hpet, HPET_COUNTER);
		t1 = rdtsc();
		if (t1 - t0 > 100000000000ull) /* 100 s at 1 GHz: it is not counting */
			return 0;
	} while (c1 - c0 < ticks);
	/* TSC ticks per HPET tick, times HPET ticks per second; in 64 bits
	 * (about 2^25 TSC ticks times 2^27 Hz at most). */
	return (t1 - t0) * (FS_PER_S / period) / (c1 - c0);
}

void time_init(void)
{
	uint64_t best = UINT64_MAX;

	if (firmware.have_hpet && (tsc_hz = hpet_tsc_hz(firmware.hpet_address)))
		calibrated_by = "the HPET";
	for (int i = 0; !tsc_hz && i < 3; i++) {
		uint64_t t = pit_measure();
		if (t < best)
			best = t;
	}
	if (!tsc_hz)
		tsc_hz = best * PIT_HZ / PIT_TICKS;
	ns_mult = (1000000000ull << 32) / tsc_hz;
	tsc_mult = (tsc_hz << 32) / 1000000000ull;
	tsc_base = rdtsc();
	if (!apic_has_tsc_deadline())
		apic_hz = apic_timer_calibrate(tsc_hz);
}

static void timer_irq(struct trap_frame *f)
{
	apic_eoi();
	timer_expire(time_now_ns());
}

void time_init_hart(void)
{
	irq_set_handler(VEC_TIMER, timer_irq);
}

uint64_t time_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t time_now_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * ns_mult) >> 32);
}

void time_arm(uint64_t deadline)
{
	if (!deadline) {
		apic_timer_stop();
		return;
	}
	if (apic_has_tsc_deadline()) {
		apic_timer_deadline(tsc_base + (uint64_t)(((unsigned __int128)deadline * tsc_mult) >> 32));
	} else {
		uint64_t now = time_now_ns(), ticks;

		ticks = deadline > now ? (deadline - now) * (apic_hz / 1000) / 1000000 : 1;
		apic_timer_oneshot(ticks > 0xffffffffull ? 0xffffffffu : (uint32_t)(ticks ? ticks : 1));
	}
}

const char *time_calibration(void)
{
	return calibrated_by;
}

const char *time_timer_mode(void)
{
	return apic_has_tsc_deadline() ? "TSC-deadline" : "APIC one-shot";
}
