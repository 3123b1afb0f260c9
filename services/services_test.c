/*
 * In-kernel tests of the service doors, called through the hallway as a
 * program would call them.
 */
#include <lemmings/harts.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#include "core/hart.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "lib/test.h"

#define MS 1000000ull

static const struct threads_door *threads(void)
{
	return threads_door_find();
}

static uint64_t child_ran;

static void child(uintptr_t arg)
{
	const struct threads_door *d = threads_door_find();

	child_ran = arg;
	threads_signal(d, (threads_thread)arg, 0x4);
}

TEST(services, threads_door_spawns_signals_and_waits)
{
	const struct threads_door *d = threads();
	threads_spawn_result r;

	ASSERT(d != NULL);
	EXPECT_STREQ(d->header.name, "threads");
	EXPECT_EQ(d->header.routine_count, THREADS_ROUTINE_COUNT);
	child_ran = 0;
	r = threads_spawn(d, child, threads_current(d), 3, 0, (threads_name)(uintptr_t)"child");
	ASSERT(threads_spawn_result_is_thread(r));
	EXPECT_EQ(threads_wait(d, 0x4), 0x4);
	EXPECT_EQ(child_ran, threads_current(d));
	/* Bad requests are refused with a reason, not a crash. */
	EXPECT_EQ(threads_spawn(d, child, 0, 9, 0, 0), LM_ERR_INVAL);
	EXPECT_EQ(threads_spawn(d, child, 0, 3, 100000, 0), LM_ERR_INVAL);
	EXPECT_EQ(threads_spawn(d, NULL, 0, 3, 0, 0), LM_ERR_INVAL);
	/* The system's own event bits are not for programs. */
	EXPECT_EQ(threads_wait(d, THREAD_EV_PARK), 0);
}

TEST(services, timer_door_waits_until_the_deadline)
{
	const struct timer_door *d = timer_door_find();
	timer_create_result t;
	uint64_t start, deadline;

	ASSERT(d != NULL);
	t = timer_create(d);
	ASSERT(timer_create_result_is_timer(t));
	start = timer_now(d);
	deadline = start + 3 * MS;
	EXPECT_EQ(timer_set(d, t, deadline), LM_OK);
	EXPECT_EQ(timer_wait(d, t), LM_OK);
	EXPECT(timer_now(d) >= deadline);
	EXPECT_EQ(timer_destroy(d, t), LM_OK);
	EXPECT_EQ(timer_destroy(d, t), LM_ERR_INVAL);
	EXPECT_EQ(timer_wait(d, t), LM_ERR_INVAL);
	EXPECT_EQ(timer_set(d, 0x1234, 1), LM_ERR_INVAL);
}

TEST(services, harts_door_lists_every_hart)
{
	const struct harts_door *d = harts_door_find();
	struct harts_info info;

	ASSERT(d != NULL);
	ASSERT_EQ(harts_count(d), hart_count);
	for (uint32_t i = 0; i < hart_count; i++) {
		ASSERT_EQ(harts_describe(d, i, &info), LM_OK);
		EXPECT_EQ(info.id, i);
		EXPECT_EQ(info.apic_id, harts[i].apic_id);
		test_diag("hart %u: APIC %u, %s, %s, running thread %llu, %u ready", info.id,
			  info.apic_id,
			  info.state == 0 ? "main scheduler" : info.state == 1 ? "outside" : "dedicated",
			  info.idle ? "halted" : "busy", (unsigned long long)info.running, info.ready);
	}
	EXPECT_EQ(harts_describe(d, hart_count, &info), LM_ERR_NOENT);
	EXPECT_EQ(harts_remove(d, 64), LM_ERR_NOENT);
	if (hart_count == 1)
		EXPECT_EQ(harts_remove(d, 0), LM_ERR_BUSY);
}

static volatile uint32_t dedicated_ran_on = ~0u;

static void on_dedicated_hart(uintptr_t main)
{
	dedicated_ran_on = this_hart()->id;
	threads_signal(threads_door_find(), (threads_thread)main, 0x8);
}

/* Through the door, as a program would: take a hart out, give it to one
 * thread, see the thread run there, and put the hart back. */
TEST(services, harts_door_dedicates_and_gives_back)
{
	const struct harts_door *d = harts_door_find();
	const struct threads_door *t = threads_door_find();
	const struct timer_door *clock = timer_door_find();
	struct harts_info info;
	harts_dedicate_result r;
	uint64_t give_back_by;
	uint32_t last;

	ASSERT(d != NULL && t != NULL && clock != NULL);
	if (harts_count(d) < 3) {
		test_diag("needs 3 harts, this machine has %u: nothing to check", harts_count(d));
		return;
	}
	last = harts_count(d) - 1;
	ASSERT_EQ(harts_describe(d, last, &info), LM_OK);
	if (info.state != 0) {
		test_diag("hart %u is not in the main scheduler here: nothing to check", last);
		return;
	}
	dedicated_ran_on = ~0u;
	r = harts_dedicate(d, last, on_dedicated_hart, threads_current(t));
	ASSERT(harts_dedicate_result_is_thread(r));
	EXPECT_EQ(threads_wait(t, 0x8), 0x8);
	EXPECT_EQ(dedicated_ran_on, last);
	/* The thread has ended (or is ending on its hart, which may take a
	 * while if the host keeps that hart waiting): the hart is back
	 * outside, within the liveness bound. */
	give_back_by = timer_now(clock) + SCHED_TEST_LIVENESS_NS;
	while (harts_describe(d, last, &info) == LM_OK && info.state == 2 &&
	       timer_now(clock) < give_back_by)
		threads_yield(t);
	EXPECT_EQ(info.state, 1);
	EXPECT_EQ(harts_add(d, last), LM_OK);
	ASSERT_EQ(harts_describe(d, last, &info), LM_OK);
	EXPECT_EQ(info.state, 0);
	EXPECT(harts_dedicate_result_is_error(harts_dedicate(d, 64, on_dedicated_hart, 0)));
}
