/*
 * The clock and timer interrupts.
 *
 * Calibration: PIT channel 2 counts down 11932 ticks of 1.193182 MHz (10 ms)
 * while the TSC runs; repeated three times, keeping the shortest measured
 * interval's rate (an interrupt or a slow emulator step can only lengthen
 * it). Conversion uses 32.32 fixed point: ns = tsc * ns_mult >> 32.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "core/timer.h"
#include "kernel/console.h"
#include "kernel/time.h"

#define PIT_HZ 1193182
#define PIT_TICKS 11932

static uint64_t tsc_hz, tsc_base;
static uint64_t ns_mult;   /* ns per TSC tick, 32.32 */
static uint64_t tsc_mult;  /* TSC ticks per ns, 32.32 */
static uint32_t apic_hz;

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

void time_init(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t t = pit_measure();
		if (t < best)
			best = t;
	}
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

const char *time_timer_mode(void)
{
	return apic_has_tsc_deadline() ? "TSC-deadline" : "APIC one-shot";
}
