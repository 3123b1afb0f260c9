/*
 * Faults stay local in the hosted runtime too: a thread that dereferences a
 * bad pointer, and one that overflows its stack into the guard page, are
 * stopped and reported while a third thread goes on counting.
 */
#include "core/hart.h"
#include "core/thread.h"
#include "hosted/hosted.h"
#include "lib/test.h"

#define DONE (1ull << 0)
#define FAULTED (1ull << 1)

static volatile uint64_t ticks;

static void ticker(void *arg)
{
	for (int i = 0; i < 100; i++) {
		ticks++;
		thread_yield();
	}
}

static void bad_pointer(void *arg)
{
	*(volatile int *)(uintptr_t)0x10 = 1;
}

static uint64_t recurse(uint64_t depth)
{
	volatile char frame[128];

	frame[0] = (char)depth;
	if (depth > 1000000)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void overflower(void *arg)
{
	recurse(0);
}

static void run_beside_ticker(void (*victim)(void *), const char *name)
{
	struct thread_opts tick = {.entry = ticker, .priority = PRIO_REGULAR,
				   .hart = (int)this_hart()->id, .notify = thread_current(),
				   .notify_bits = DONE};
	struct thread_opts bad = {.entry = victim, .priority = PRIO_REGULAR, .name = name,
				  .hart = (int)this_hart()->id, .notify = thread_current(),
				  .notify_bits = FAULTED};
	uint64_t before = hosted_fault_count(), seen = 0;

	ticks = 0;
	ASSERT_EQ(thread_spawn(&tick, NULL), LM_OK);
	ASSERT_EQ(thread_spawn(&bad, NULL), LM_OK);
	while (seen != (DONE | FAULTED))
		seen |= thread_wait(DONE | FAULTED);
	EXPECT_EQ(ticks, 100);
	EXPECT_EQ(hosted_fault_count(), before + 1);
}

TEST(hosted_fault, bad_pointer_stops_only_its_thread)
{
	run_beside_ticker(bad_pointer, "bad-pointer");
}

TEST(hosted_fault, stack_overflow_stops_only_its_thread)
{
	if (hosted_guarded_stacks() == 0) {
		test_diag("no guarded stacks: nothing to overflow into");
		return;
	}
	run_beside_ticker(overflower, "overflower");
}
