/* In-kernel test: a preempted thread keeps its vector registers. */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "lib/string.h"
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

/*
 * Preemption in the middle of each fast path: a pair of threads on this
 * hart runs signal/wait ping-pong, spawn + exit and yields in a loop,
 * while a thread of higher priority on the same hart wakes from short
 * sleeps (its timer interrupt lands anywhere in those paths, often while
 * preemption is off) and, once awake, signals the pair's waiter from
 * above. Nothing may be lost: every round of the pair completes, and
 * every sleep of the intruder ends.
 */
#define FAST_ROUNDS 4000
#define FAST_PING (1ull << 1)
#define FAST_DONE (1ull << 2)
#define FAST_POKE (1ull << 3)

static struct fast {
	struct thread *a, *b, *main;
	uint64_t rounds_b, wakes, pokes;
	volatile int stop;
} fast;

static void fast_nothing(void *arg)
{
}

static void fast_b(void *arg)
{
	for (uint64_t i = 0; i < FAST_ROUNDS; i++) {
		thread_wait(FAST_PING);
		fast.rounds_b++;
		thread_signal(fast.a, FAST_PING);
	}
}

static void fast_intruder(void *arg)
{
	while (!fast.stop) {
		timer_sleep_ns(20000);
		fast.wakes++;
		/* A signal from a higher priority, to a thread that may be
		 * in the middle of its wait: a poke bit it does not wait for. */
		thread_signal(fast.b, FAST_POKE);
		fast.pokes++;
	}
	thread_signal(fast.main, FAST_DONE);
}

TEST(preempt, interrupts_in_every_fast_path_lose_nothing)
{
	int hart = (int)this_hart()->id;
	struct thread_opts b = {.entry = fast_b, .priority = PRIO_REGULAR, .name = "fast-b",
				.hart = hart};
	struct thread_opts in = {.entry = fast_intruder, .priority = PRIO_REALTIME,
				 .name = "intruder", .hart = hart};
	struct thread_opts child = {.entry = fast_nothing, .priority = PRIO_REGULAR,
				    .hart = hart};
	uint64_t live = sched_live_threads();

	memset(&fast, 0, sizeof fast);
	fast.a = fast.main = thread_current();
	ASSERT_EQ(thread_spawn(&b, &fast.b), LM_OK);
	ASSERT_EQ(thread_spawn(&in, NULL), LM_OK);
	for (uint64_t i = 0; i < FAST_ROUNDS; i++) {
		thread_signal(fast.b, FAST_PING);
		ASSERT(timer_wait_until(FAST_PING, plat_now_ns() + SCHED_TEST_LIVENESS_NS));
		ASSERT_EQ(thread_spawn(&child, NULL), LM_OK);
		thread_yield();
	}
	fast.stop = 1;
	ASSERT(timer_wait_until(FAST_DONE, plat_now_ns() + SCHED_TEST_LIVENESS_NS));
	EXPECT_EQ(fast.rounds_b, FAST_ROUNDS);
	EXPECT(fast.wakes > 0);
	EXPECT_EQ(fast.wakes, fast.pokes);
	for (uint64_t t0 = plat_now_ns();
	     sched_live_threads() != live && plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
		thread_yield();
	EXPECT_EQ(sched_live_threads(), live);
	test_diag("%llu rounds, the intruder woke %llu times in them",
		  (unsigned long long)FAST_ROUNDS, (unsigned long long)fast.wakes);
}
