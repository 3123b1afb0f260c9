/* In-kernel tests of the physical page allocator. */
#include "arch/cpu.h"
#include "arch/vm.h"
#include "kernel/boot.h"
#include "kernel/kstack.h"
#include "kernel/pmm.h"
#include "lib/test.h"

/*
 * Take every free page, checking that none comes twice (each page gets a
 * stamp unique to this run when handed out; a page that already carries its
 * stamp was handed out before), then give them all back.
 */
TEST(pmm, alloc_everything_free_everything)
{
	uint64_t token = rdtsc() | 1, before, taken = 0, list = 0, p;

	kstack_drain();
	before = pmm_free_pages();
	while ((p = pmm_alloc_page())) {
		uint64_t *page = phys_to_virt(p);

		if (page[1] == (token ^ p)) {
			test_diag("page 0x%llx handed out twice", (unsigned long long)p);
			test_failed = true;
			break;
		}
		EXPECT(pmm_is_allocated(p));
		page[0] = list;
		page[1] = token ^ p;
		list = p;
		taken++;
	}
	EXPECT_EQ(taken, before);
	EXPECT_EQ(pmm_free_pages(), 0);
	while (list) {
		uint64_t next = ((uint64_t *)phys_to_virt(list))[0];

		pmm_free_page(list);
		EXPECT(!pmm_is_allocated(list));
		list = next;
	}
	EXPECT_EQ(pmm_free_pages(), before);
}

TEST(pmm, free_then_alloc_reuses)
{
	uint64_t a = pmm_alloc_page(), b;

	ASSERT(a != 0);
	EXPECT(a % 4096 == 0);
	pmm_free_page(a);
	b = pmm_alloc_page();
	EXPECT_EQ(b, a); /* the free list is last in, first out */
	pmm_free_page(b);
}

TEST(pmm, zeroed_page_is_zero)
{
	uint64_t p = pmm_alloc_page(), *w;

	ASSERT(p != 0);
	w = phys_to_virt(p);
	for (int i = 0; i < 512; i++)
		w[i] = ~0ull;
	pmm_free_page(p);
	p = pmm_alloc_zeroed_page();
	w = phys_to_virt(p);
	for (int i = 0; i < 512; i++)
		if (w[i]) {
			test_diag("word %d is 0x%llx", i, (unsigned long long)w[i]);
			test_failed = true;
			break;
		}
	pmm_free_page(p);
}

static bool in_ram_entry(uint64_t a)
{
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_range *m = &boot_info.mem[i];

		if (m->type == BOOT_MEM_RAM && m->len && a >= m->base && a - m->base < m->len)
			return true;
	}
	return false;
}

/* The index of a non-available entry of the boot loader's map that
 * overlaps [p, p + PAGE_SIZE), or -1. */
static int restricted_entry(uint64_t p)
{
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_range *m = &boot_info.mem[i];
		uint64_t last = m->base + m->len - 1;

		if (m->type == BOOT_MEM_RAM || !m->len)
			continue;
		if (last < m->base)
			last = UINT64_MAX;
		if (m->base <= p + PAGE_SIZE - 1 && p <= last)
			return (int)i;
	}
	return -1;
}

/*
 * Every page the allocator can hand out lies in memory the boot loader's
 * map calls available and that no other entry of it claims, above the
 * first MiB.
 */
TEST(pmm, every_page_is_available_in_the_memory_map)
{
	uint64_t list = 0, p, bad = 0;

	kstack_drain();
	while ((p = pmm_alloc_page())) {
		int r = restricted_entry(p);

		if (p < (1 << 20) || r >= 0 || !in_ram_entry(p) || !in_ram_entry(p + PAGE_SIZE - 1)) {
			if (!bad++)
				test_diag("page 0x%llx is not available memory (entry %d)",
					  (unsigned long long)p, r);
		}
		*(uint64_t *)phys_to_virt(p) = list;
		list = p;
	}
	EXPECT_EQ(bad, 0);
	while (list) {
		p = list;
		list = *(uint64_t *)phys_to_virt(p);
		pmm_free_page(p);
	}
}

/*
 * With the untouched tails used up, a run is found among pages freed one by
 * one (the bitmap scan), taken out of the middle of the free list without
 * breaking it, and a run longer than any hole is refused.
 */
TEST(pmm, run_from_freed_pages)
{
	uint64_t list = 0, p, hole = 0, got, n = 0;

	kstack_drain();
	while ((p = pmm_alloc_page())) {
		*(uint64_t *)phys_to_virt(p) = list;
		list = p;
		n++;
	}
	/* Free eight in a row, in an order the free list will not keep: the
	 * run must be exactly those eight. */
	for (uint64_t q = list, prev = 0, streak = 0; q;
	     prev = q, q = *(uint64_t *)phys_to_virt(q)) {
		/* Eight of ours in a row (the list runs downward from the
		 * bump pointers), the lowest of them at q. */
		streak = prev && q == prev - PAGE_SIZE ? streak + 1 : 1;
		if (streak >= 8 && q % (8 * PAGE_SIZE) == 0) {
			hole = q;
			break;
		}
	}
	ASSERT(hole != 0);
	/* Unchain hole .. hole + 8 pages from our list before they are freed
	 * (the free list writes its links into them). */
	for (uint64_t *at = &list; *at;) {
		if (*at >= hole && *at < hole + 8 * PAGE_SIZE)
			*at = *(uint64_t *)phys_to_virt(*at);
		else
			at = (uint64_t *)phys_to_virt(*at);
	}
	for (int i = 7; i >= 0; i -= 2)
		pmm_free_page(hole + (uint64_t)i * PAGE_SIZE);
	for (int i = 6; i >= 0; i -= 2)
		pmm_free_page(hole + (uint64_t)i * PAGE_SIZE);
	EXPECT_EQ(pmm_alloc_run(9, 0), 0);
	got = pmm_alloc_run(8, 0);
	EXPECT_EQ(got, hole);
	EXPECT_EQ(pmm_free_pages(), 0);
	if (got == hole)
		for (int i = 0; i < 8; i++)
			EXPECT(pmm_is_allocated(hole + (uint64_t)i * PAGE_SIZE));
	/* The list still works: every page comes back once. */
	pmm_free_run(hole, 8);
	EXPECT_EQ(pmm_free_pages(), 8);
	EXPECT_EQ(pmm_alloc_run(8, hole), 0); /* the limit: it ends at hole */
	EXPECT_EQ(pmm_alloc_run(8, hole + 8 * PAGE_SIZE), hole);
	pmm_free_run(hole, 8);
	while (list) {
		p = list;
		list = *(uint64_t *)phys_to_virt(p);
		pmm_free_page(p);
	}
	EXPECT_EQ(pmm_free_pages(), n);
}
