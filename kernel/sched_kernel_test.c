/*
 * In-kernel scheduler tests that need the kernel itself: interrupts
 * (preemption) and fault records (stack overflow).
 */
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
