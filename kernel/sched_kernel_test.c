/*
 * In-kernel scheduler tests that need the kernel itself: interrupts
 * (preemption) and fault records (stack overflow).
 */
#include "arch/cpu.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/fault.h"
#include "lib/string.h"
#include "lib/test.h"

#define DONE SCHED_TEST_DONE /* a thread from sched_test_spawn ended */
#define OVERFLOWER_DONE (1ull << 1)

static volatile int rt_flag;

static void realtime_sleeper(void *arg)
{
	timer_sleep_ns(2000000);
	rt_flag = 1;
}

TEST(sched, interrupt_wake_preempts_a_thread_that_never_yields)
{
	uint64_t start;

	rt_flag = 0;
	sched_test_spawn(realtime_sleeper, NULL, PRIO_REALTIME, "rt-sleeper");
	start = plat_now_ns();
	/* Spin without yielding: only preemption by the timer interrupt's
	 * wake-up can set the flag. Bounded, so a failure does not hang; the
	 * bound is for liveness only. */
	while (!rt_flag && plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		;
	EXPECT_EQ(rt_flag, 1);
	test_diag("woken and run after %llu us", (unsigned long long)(plat_now_ns() - start) / 1000);
	thread_wait(DONE);
}

static volatile uint64_t ticks;

static void ticker(void *arg)
{
	for (int i = 0; i < 50; i++) {
		ticks++;
		if (i % 10 == 0)
			test_diag("ticker still running: %d", i);
		thread_yield();
	}
}

static uint64_t recurse(uint64_t depth)
{
	volatile char frame[128];

	frame[0] = (char)depth;
	if (depth > 1000000) /* never: a page of stack runs out long before */
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void overflower(void *arg)
{
	recurse(0);
}

TEST(sched, stack_overflow_is_stopped_while_others_run)
{
	struct thread_opts o = {.entry = overflower, .priority = PRIO_REGULAR,
				.name = "overflower", .hart = -1,
				.notify = thread_current(), .notify_bits = OVERFLOWER_DONE};
	uint64_t deaths = fault_count(), seen = 0;
	const struct fault_record *r;
	int found = 0;

	ticks = 0;
	sched_test_spawn(ticker, NULL, PRIO_REGULAR, "ticker");
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	/* Both ends: the ticker's, and the overflower's (on any hart). */
	while (seen != (DONE | OVERFLOWER_DONE))
		seen |= thread_wait(DONE | OVERFLOWER_DONE);
	EXPECT_EQ(ticks, 50);
	for (uint64_t i = deaths; i < fault_count(); i++) {
		r = fault_get(i);
		if (r && test_streq(r->thread_name, "overflower")) {
			found = 1;
			test_diag("%s", r->reason);
			EXPECT(strstr(r->reason, "stack overflow") != NULL);
		}
	}
	EXPECT(found);
}

/*
 * A wait keeps its thread's interrupt flag (sched_wait_resume): a thread
 * that waits with interrupts off resumes with them off, though the thread
 * that woke it had them on; and that thread, resumed by the other's
 * switch, has them on again. Both on this hart, so that every wake-up
 * goes through runnext and every switch is a wait's.
 */
#define IRQ_PING (1ull << 1)
#define IRQ_PONG (1ull << 2)
#define IRQ_ROUNDS 100

static uint64_t irq_wrong_off;

static void irqs_off_waiter(void *arg)
{
	struct thread *main = arg;
	bool irq = plat_irq_save();

	for (int i = 0; i < IRQ_ROUNDS; i++) {
		thread_signal(main, IRQ_PING);
		thread_wait(IRQ_PONG);
		irq_wrong_off += plat_irqs_on();
	}
	plat_irq_restore(irq);
}

TEST(sched, a_wait_keeps_its_interrupt_flag)
{
	struct thread *t;
	uint64_t wrong_on = 0;

	irq_wrong_off = 0;
	ASSERT(plat_irqs_on());
	t = sched_test_spawn(irqs_off_waiter, thread_current(), PRIO_REGULAR, "irqs-off");
	ASSERT(t != NULL);
	for (int i = 0; i < IRQ_ROUNDS; i++) {
		thread_wait(IRQ_PING);
		wrong_on += !plat_irqs_on();
		thread_signal(t, IRQ_PONG);
	}
	thread_wait(DONE);
	EXPECT_EQ(wrong_on, 0);
	EXPECT_EQ(irq_wrong_off, 0);
	EXPECT(plat_irqs_on());
}

/*
 * The same for a yield: a thread that yields with interrupts off (through
 * plat_irq_save) resumes with them off, and one that yields with them on
 * resumes with them on, however the two take turns (each yield's switch
 * is to the other, as their priority is the same and they are alone on
 * this hart). The second also yields with the hart's note of the flag
 * stale (cleared while interrupts are on: they were turned back on by
 * arch's irq_enable, which does not keep the note): its yield must read
 * the flag, resume with interrupts on, and leave the note set again.
 * (Both spawned threads are pinned here, and the test's own waits.)
 */
static uint64_t yield_wrong_off;
static volatile bool yield_off_done;
static volatile int yielders_ended;

static void irqs_off_yielder(void *arg)
{
	bool irq = plat_irq_save();

	(void)arg;
	for (int i = 0; i < IRQ_ROUNDS; i++) {
		thread_yield();
		yield_wrong_off += plat_irqs_on();
	}
	plat_irq_restore(irq);
	yield_off_done = true;
	yielders_ended++;
}

static void stale_note_yielder(void *arg)
{
	uint64_t *wrong = arg;

	/* Alongside the other yielder, then alone on the hart for as many
	 * rounds again: then no switch to a thread with interrupts off sets
	 * the note on the way back, and only the yield's own read can. */
	for (int after = 0; after < IRQ_ROUNDS; after += yield_off_done) {
		plat_irq_set(false);
		irq_enable(); /* on again; the note stays cleared */
		thread_yield();
		*wrong += !plat_irqs_on();
		*wrong += !hartlocal_load(bool, HART_IRQS_ON_OFFSET);
	}
	yielders_ended++;
}

TEST(sched, a_yield_keeps_its_interrupt_flag_and_heals_a_stale_note)
{
	uint64_t wrong_on = 0;

	yield_wrong_off = 0;
	yield_off_done = false;
	yielders_ended = 0;
	ASSERT(plat_irqs_on());
	ASSERT(sched_test_spawn(stale_note_yielder, &wrong_on, PRIO_REGULAR, "stale-note") != NULL);
	ASSERT(sched_test_spawn(irqs_off_yielder, NULL, PRIO_REGULAR, "irqs-off") != NULL);
	while (yielders_ended < 2) /* both notify with DONE: one bit */
		thread_wait(DONE);
	EXPECT_EQ(wrong_on, 0);
	EXPECT_EQ(yield_wrong_off, 0);
	EXPECT(plat_irqs_on());
}
