/* In-kernel tests of the physical page allocator. */
#include "arch/cpu.h"
#include "arch/vm.h"
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
