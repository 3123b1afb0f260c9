/*
 * Scheduler benchmarks, run in the kernel with `test=bench.*` (make bench).
 * Each prints BENCH lines in TSC cycles and nanoseconds per operation. In a
 * QEMU without acceleration the absolute figures mean little; the ratios
 * to the bare register swap (bench.swap) measured in the same run do.
 */
#include "arch/x86_64/context.h"
#include "arch/x86_64/cpu.h"
#include "core/platform.h"
#include "core/thread.h"
#include "lib/test.h"

#define ROUNDS 20000

static void report(const char *name, uint64_t c0, uint64_t n0, uint64_t ops)
{
	bench_report(name, rdtsc() - c0, plat_now_ns() - n0, ops);
}

/* The floor: two contexts swapping registers with ctx_switch, no scheduler. */
static uint64_t swap_main, swap_other;

static void swap_partner(void *arg)
{
	for (;;)
		ctx_switch(&swap_other, swap_main, NULL);
}

TEST(bench, swap)
{
	static uint8_t stack[4096] __attribute__((aligned(64)));
	bool irq = plat_irq_save();
	uint64_t c0, n0;

	(void)swap_partner;
	swap_other = ctx_init_stack((uintptr_t)stack + sizeof stack);
	/* The new context starts in thread_start; give it a frame that
	 * returns straight into swap_partner instead. */
	((uint64_t *)swap_other)[7] = (uint64_t)(uintptr_t)swap_partner;
	ctx_switch(&swap_main, swap_other, NULL);
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < ROUNDS; i++)
		ctx_switch(&swap_main, swap_other, NULL);
	report("swap_round_trip", c0, n0, ROUNDS);
	plat_irq_restore(irq);
}

static void nothing(void *arg)
{
}

TEST(bench, spawn_exit)
{
	struct thread_opts o = {.entry = nothing, .priority = PRIO_REGULAR, .hart = -1};
	uint64_t c0 = rdtsc(), n0 = plat_now_ns();

	for (int i = 0; i < ROUNDS; i++) {
		thread_spawn(&o, NULL);
		thread_yield();
	}
	report("spawn_exit", c0, n0, ROUNDS);
}

static void parker(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < ROUNDS; i++) {
		thread_park();
		thread_unpark(main);
	}
}

TEST(bench, park_unpark_round_trip)
{
	struct thread_opts o = {.entry = parker, .arg = thread_current(),
				.priority = PRIO_REGULAR, .hart = -1};
	struct thread *t;
	uint64_t c0, n0;

	thread_spawn(&o, &t);
	thread_yield(); /* let it park */
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < ROUNDS; i++) {
		thread_unpark(t);
		thread_park();
	}
	report("park_unpark_round_trip", c0, n0, ROUNDS);
}

static void ponger(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < ROUNDS; i++) {
		thread_wait(2);
		thread_signal(main, 2);
	}
}

TEST(bench, event_ping_pong)
{
	struct thread_opts o = {.entry = ponger, .arg = thread_current(),
				.priority = PRIO_REGULAR, .hart = -1};
	struct thread *t;
	uint64_t c0, n0;

	thread_spawn(&o, &t);
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < ROUNDS; i++) {
		thread_signal(t, 2);
		thread_wait(2);
	}
	report("event_ping_pong", c0, n0, ROUNDS);
}
