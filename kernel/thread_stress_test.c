/*
 * Stress tests of threads (suite "stress", left out of the default run:
 * tests/stress.t runs them in a 6 GiB guest).
 *
 * Memory per thread is measured with the allocator's own counts: free pages
 * before and with all threads alive, and the page-table pages among them.
 */
#include "arch/vm.h"
#include "core/stack.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/console.h"
#include "kernel/kstack.h"
#include "kernel/pmm.h"
#include "lib/test.h"

#define MILLION 1000000
#define TEN_MILLION 10000000

#define DONE (1ull << 0)
#define ALL_GONE (1ull << 1)

static struct thread *last;

/* Each thread parks; once unparked it unparks the one spawned before it,
 * so one unpark from the test unwinds the whole chain. */
static void chain_link(void *arg)
{
	thread_park();
	if (arg)
		thread_unpark(arg);
}

static void chain_builder(void *arg)
{
	struct thread *tester = arg, *prev = NULL;

	for (int i = 0; i < MILLION; i++) {
		struct thread_opts o = {.entry = chain_link, .arg = prev,
					.priority = PRIO_REGULAR, .hart = -1};
		if (!prev) {
			o.notify = tester; /* the last of the chain to end */
			o.notify_bits = ALL_GONE;
		}
		if (thread_spawn(&o, &prev) != LM_OK)
			return;
	}
	last = prev;
}

TEST(stress, million_threads_alive)
{
	struct thread_opts o = {.entry = chain_builder, .arg = thread_current(),
				.priority = PRIO_CRITICAL, .name = "chain-builder",
				.hart = -1, .notify = thread_current(), .notify_bits = DONE};
	uint64_t free0, free1, tables0, tables1, live0, bytes_x100;

	kstack_drain();
	free0 = pmm_free_pages() + stack_cached(); /* other harts' caches */
	tables0 = vm_table_pages();
	live0 = sched_live_threads();
	last = NULL;
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	/* The builder is Critical, so it ran to the end at once; its exit put
	 * us in the queue behind the million, each of which then parked. */
	thread_wait(DONE);
	ASSERT(last != NULL);
	free1 = pmm_free_pages() + stack_cached();
	tables1 = vm_table_pages();
	EXPECT_EQ(sched_live_threads(), live0 + MILLION);
	bytes_x100 = (free0 - free1) * 4096 * 100 / MILLION;
	test_diag("%d threads alive: %llu.%02llu bytes each from the page allocator "
		  "(%llu of them page tables: %llu pages)", MILLION,
		  (unsigned long long)bytes_x100 / 100, (unsigned long long)bytes_x100 % 100,
		  (unsigned long long)((tables1 - tables0) * 4096 / MILLION),
		  (unsigned long long)(tables1 - tables0));
	/* One page per thread; a few more for the builder's cached stack. */
	EXPECT((free0 - free1) - (tables1 - tables0) >= MILLION);
	EXPECT((free0 - free1) - (tables1 - tables0) <= MILLION + 4);

	thread_unpark(last);
	thread_wait(ALL_GONE);
	while (sched_live_threads() != live0)
		thread_yield();
	kstack_drain();
	/* Every page is back, but for the page tables, kept for reuse, and the
	 * stacks other harts keep for their next threads. */
	EXPECT_EQ(pmm_free_pages() + (vm_table_pages() - tables0) + stack_cached(), free0);
}

static void nothing(void *arg)
{
}

TEST(stress, ten_million_spawn_exit_leak_nothing)
{
	struct thread_opts o = {.entry = nothing, .priority = PRIO_REGULAR, .hart = -1};
	uint64_t free0, tables0, live0;

	kstack_drain();
	free0 = pmm_free_pages() + stack_cached(); /* other harts' caches */
	tables0 = vm_table_pages();
	live0 = sched_live_threads();
	for (int i = 0; i < TEN_MILLION; i++) {
		ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
		thread_yield(); /* the child runs and ends, here or on an idle hart */
	}
	/* With several harts the last children may still be running elsewhere. */
	for (int ms = 0; ms < 10000 && sched_live_threads() != live0; ms++)
		timer_sleep_ns(1000000);
	EXPECT_EQ(sched_live_threads(), live0);
	kstack_drain();
	/* Every page is back, but for the page tables of stack slots used
	 * for the first time (kept for reuse) and the harts' stack caches. */
	EXPECT_EQ(pmm_free_pages() + (vm_table_pages() - tables0) + stack_cached(), free0);
}

#define PARKED 10000

static void park_once(void *arg)
{
	thread_park();
}

/* Memory per parked thread, for make bench (suite bench: not in the
 * default run). */
TEST(bench, bytes_per_parked_thread)
{
	static struct thread *threads[PARKED];
	struct thread_opts o = {.entry = park_once, .priority = PRIO_REGULAR, .hart = -1};
	uint64_t free0, used, live0 = sched_live_threads();

	kstack_drain();
	free0 = pmm_free_pages();
	for (int i = 0; i < PARKED; i++)
		ASSERT_EQ(thread_spawn(&o, &threads[i]), LM_OK);
	thread_yield(); /* all of them run and park */
	used = (free0 - pmm_free_pages()) * 4096;
	kprintf("BENCH kernel.bytes_per_parked_thread %llu bytes\n",
		(unsigned long long)(used / PARKED));
	for (int i = 0; i < PARKED; i++)
		thread_unpark(threads[i]);
	/* All gone before the next benchmark runs (some may be on other harts). */
	while (sched_live_threads() > live0)
		timer_sleep_ns(1000000);
}
