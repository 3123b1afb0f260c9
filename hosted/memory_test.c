/*
 * Memory per thread in the hosted runtime, measured by Linux: the growth
 * of the process's resident set (/proc/self/statm) and of its page tables
 * (VmPTE in /proc/self/status) while threads are parked. A parked thread
 * has touched its one stack page and nothing else, so the target is 4096
 * bytes plus the page-table share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hart.h"
#include "core/thread.h"
#include "lib/test.h"

#define MILLION 1000000
#define BENCH_THREADS 100000
#define TEST_ALL_PARKED (1ull << 1)

static uint64_t resident_bytes(void)
{
	unsigned long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * 4096;
}

static uint64_t page_table_bytes(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmPTE: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static struct thread **threads;
static uint64_t parked;

static void park_once(void *arg)
{
	__atomic_fetch_add(&parked, 1, __ATOMIC_RELAXED);
	thread_park();
}

/* Spawn n threads that park, measure, wake them all and let them end.
 * Returns the bytes per thread (resident set plus page tables). */
static uint64_t park_many(uint32_t n, uint64_t *rss_per, uint64_t *pte_per)
{
	struct thread_opts o = {.entry = park_once, .priority = PRIO_REGULAR,
				.hart = (int)this_hart()->id};
	uint64_t rss0, pte0, rss1, pte1;
	uint32_t spawned = 0;

	threads = calloc(n, sizeof *threads);
	if (!threads)
		return 0;
	parked = 0;
	rss0 = resident_bytes();
	pte0 = page_table_bytes();
	while (spawned < n && thread_spawn(&o, &threads[spawned]) == LM_OK)
		spawned++;
	while (__atomic_load_n(&parked, __ATOMIC_RELAXED) < spawned)
		thread_yield();
	rss1 = resident_bytes();
	pte1 = page_table_bytes();
	for (uint32_t i = 0; i < spawned; i++)
		thread_unpark(threads[i]);
	thread_yield();
	free(threads);
	if (spawned < n) {
		test_diag("only %u of %u threads could be spawned", spawned, n);
		return 0;
	}
	*rss_per = (rss1 - rss0) / n;
	*pte_per = (pte1 - pte0) / n;
	return *rss_per + *pte_per;
}

/* First in the file, so that its threads get fresh stacks rather than ones
 * that earlier tests left resident. */
TEST(bench, bytes_per_parked_thread)
{
	uint64_t rss, pte, per = park_many(BENCH_THREADS, &rss, &pte);

	ASSERT(per);
	printf("BENCH hosted.bytes_per_parked_thread %llu bytes\n", (unsigned long long)per);
	fflush(stdout);
}

TEST(hosted_stress, million_threads)
{
	uint64_t live0 = sched_live_threads();
	uint64_t rss, pte, per = park_many(MILLION, &rss, &pte);

	ASSERT(per);
	test_diag("one million parked threads: %llu bytes each (%llu resident + %llu page tables)",
		  (unsigned long long)per, (unsigned long long)rss, (unsigned long long)pte);
	EXPECT(per < 2 * 4096); /* earlier tests may leave stacks resident */
	EXPECT_EQ(sched_live_threads(), live0);
}
