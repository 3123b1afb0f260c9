/*
 * In-kernel tests of what only the Memory door's kernel home does
 * (kernel/memory_door.c): physical addresses, pmm underneath. What both
 * homes do is tested in services/memory_test.c.
 */
#include "arch/layout.h"
#include "arch/vm.h"
#include "kernel/memory_door.h"
#include "kernel/pmm.h"
#include "lib/test.h"
#include "services/memory_test.h"

static const struct memory_door *door(void)
{
	return memory_door_find(); /* the published one, as a program finds it */
}

TEST(memory_kernel, the_door_is_published_by_the_kernel)
{
	struct memory_info info;

	ASSERT(door() != NULL);
	EXPECT_EQ(door(), memory_door_kernel());
	ASSERT_EQ(memory_query(door(), &info), LM_OK);
	EXPECT_EQ(info.page_size, PAGE_SIZE);
	EXPECT_EQ(info.total_pages, pmm_total_pages());
	EXPECT_EQ(info.free_pages, pmm_free_pages());
	EXPECT(info.free_pages < info.total_pages);
}

/* A contiguous run is contiguous in the page tables, not only in its
 * reported address, and lies below max_phys. */
TEST(memory_kernel, contiguous_runs_are_contiguous)
{
	static const uint64_t sizes[] = {1, 2, 7, 64, 513};
	static const uint64_t limits[] = {0, 1ull << 32, 16ull << 20};

	for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (unsigned l = 0; l < sizeof limits / sizeof limits[0]; l++) {
			struct memory_run run;
			uint64_t phys, bad = 0;

			ASSERT_EQ(memory_alloc(door(), sizes[s], 1, limits[l], &run), LM_OK);
			EXPECT(run.phys != 0);
			EXPECT_EQ(run.addr % PAGE_SIZE, 0);
			for (uint64_t i = 0; i < sizes[s]; i++)
				if (!vm_translate(run.addr + i * PAGE_SIZE, &phys) ||
				    phys != run.phys + i * PAGE_SIZE)
					bad++;
			EXPECT_EQ(bad, 0);
			if (limits[l])
				EXPECT(run.phys + sizes[s] * PAGE_SIZE <= limits[l]);
			EXPECT(memory_test_all_zero(run.addr, sizes[s]));
			EXPECT_EQ(memory_free(door(), run.addr, sizes[s]), LM_OK);
		}
}

/*
 * A program's data does not outlive its free: the run is cleared before its
 * pages go back, so pmm's own uncleared pmm_alloc_page (the kernel's way)
 * finds zeroes, apart from the free list's two links.
 */
TEST(memory_kernel, freed_pages_are_zeroed_before_reuse)
{
	struct memory_run run;
	uint64_t p, dirty = 0;

	ASSERT_EQ(memory_alloc(door(), 4, 1, 0, &run), LM_OK);
	for (uint64_t i = 0; i < 4 * PAGE_SIZE / 8; i++)
		((uint64_t *)run.addr)[i] = ~0ull;
	ASSERT_EQ(memory_free(door(), run.addr, 4), LM_OK);
	/* The last page freed is the free list's head: the run's last page. */
	p = pmm_alloc_page();
	ASSERT_EQ(p, run.phys + 3 * PAGE_SIZE);
	for (unsigned i = 2; i < PAGE_SIZE / 8; i++)
		if (((uint64_t *)phys_to_virt(p))[i])
			dirty++;
	EXPECT_EQ(dirty, 0);
	pmm_free_page(p);
	/* And a run taken again is all zero, links included. */
	ASSERT_EQ(memory_alloc(door(), 4, 1, 0, &run), LM_OK);
	EXPECT(memory_test_all_zero(run.addr, 4));
	EXPECT_EQ(memory_free(door(), run.addr, 4), LM_OK);
}

/* Pages the kernel holds are not the door's to take back. */
TEST(memory_kernel, kernel_pages_are_refused)
{
	uint64_t kpage = pmm_alloc_page(), before = memory_test_free_pages();
	static uint64_t kdata;

	ASSERT(kpage != 0);
	EXPECT_EQ(memory_free(door(), (uintptr_t)phys_to_virt(kpage), 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), (uintptr_t)&kdata & ~0xfffull, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), PROGRAMS_BASE, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), DIRECT_MAP_BASE, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), DIRECT_MAP_BASE + DIRECT_MAP_SIZE - PAGE_SIZE, 1),
		  LM_ERR_INVAL);
	EXPECT_EQ(memory_query(door(), (struct memory_info *)(PROGRAMS_BASE - 16)), LM_ERR_INVAL);
	EXPECT(pmm_is_allocated(kpage));
	EXPECT_EQ(memory_test_free_pages(), before);
	pmm_free_page(kpage);
}

/* No run below 1 MiB (the firmware's), none larger than what is free. */
TEST(memory_kernel, no_run_below_an_impossible_limit)
{
	struct memory_run run;
	uint64_t before = memory_test_free_pages();

	EXPECT_EQ(memory_alloc(door(), 1, 1, 1 << 20, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_alloc(door(), before + 1, 1, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_test_free_pages(), before);
}
