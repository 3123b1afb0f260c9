/* In-kernel test: a preempted thread keeps its vector registers. */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "lib/test.h"

void fpu_probe_fill(uint64_t pattern);
int fpu_probe_check(uint64_t pattern);

static volatile int intruder_ran;

/* Woken by the timer interrupt, so it preempts the spinning test thread,
 * and clobbers every xmm register with its own values. */
static void intruder(void *arg)
{
	timer_sleep_ns(1000000);
	fpu_probe_fill(0x5555000000000000ull);
	intruder_ran = 1;
}

TEST(preempt, vector_registers_survive_preemption)
{
	const uint64_t mine = 0x1234567800000000ull;
	struct thread_opts o = {.entry = intruder, .priority = PRIO_REALTIME,
				.name = "intruder", .hart = (int)this_hart()->id,
				.notify = thread_current(), .notify_bits = 1};
	uint64_t start;

	intruder_ran = 0;
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	fpu_probe_fill(mine);
	start = plat_now_ns();
	/* Bounded, so a failure does not hang; liveness only. */
	while (!intruder_ran && plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		;
	EXPECT_EQ(intruder_ran, 1);
	EXPECT_EQ(fpu_probe_check(mine), 0);
	thread_wait(1);
}
