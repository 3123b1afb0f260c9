/*
 * Page allocation benchmarks (make bench; kernel): a page taken and given
 * back through pmm, the free list's head both ways (the path every page
 * table, stack and program page takes, which runs must not slow); a run of
 * 16 contiguous pages; and a page through the Memory door, as a program
 * gets one (clearing it on alloc and on free included).
 */
#include <lemmings/memory.h>

#include "arch/cpu.h"
#include "core/platform.h"
#include "kernel/pmm.h"
#include "lib/test.h"

#define OPS 100000

TEST(bench, pmm_page_alloc_free)
{
	uint64_t c0 = rdtsc(), n0 = plat_now_ns();

	for (int i = 0; i < OPS; i++) {
		uint64_t p = pmm_alloc_page();

		ASSERT(p != 0);
		pmm_free_page(p);
	}
	bench_report("pmm.page_alloc_free", rdtsc() - c0, plat_now_ns() - n0, OPS);
}

TEST(bench, pmm_run16_alloc_free)
{
	uint64_t c0 = rdtsc(), n0 = plat_now_ns();

	for (int i = 0; i < OPS / 10; i++) {
		uint64_t p = pmm_alloc_run(16, 0);

		ASSERT(p != 0);
		pmm_free_run(p, 16);
	}
	bench_report("pmm.run16_alloc_free", rdtsc() - c0, plat_now_ns() - n0, OPS / 10);
}

TEST(bench, memory_door_page_alloc_free)
{
	const struct memory_door *d = memory_door_find();
	uint64_t c0 = rdtsc(), n0 = plat_now_ns();

	ASSERT(d != NULL);
	for (int i = 0; i < OPS; i++) {
		struct memory_run run;

		ASSERT_EQ(memory_alloc(d, 1, 0, 0, &run), LM_OK);
		ASSERT_EQ(memory_free(d, run.addr, 1), LM_OK);
	}
	bench_report("memory.door_page_alloc_free", rdtsc() - c0, plat_now_ns() - n0, OPS);
}
