/* In-kernel tests of page mapping and protection. */
#include "arch/trap.h"
#include "arch/vm.h"
#include "kernel/fault.h"
#include "kernel/pmm.h"
#include "lib/test.h"

/* A spot in the programs region that nothing else uses during tests. */
#define TEST_VA (PROGRAMS_BASE + 0x7fff000000ull)

extern char __text_start[], __rodata_start[];

TEST(vm, map_write_read_unmap)
{
	uint64_t p = pmm_alloc_zeroed_page(), phys = 0;
	volatile uint64_t *va = (volatile uint64_t *)TEST_VA;

	ASSERT(p != 0);
	ASSERT_EQ(vm_map_page(TEST_VA, p, VM_WRITE), LM_OK);
	EXPECT_EQ(vm_map_page(TEST_VA, p, VM_WRITE), LM_ERR_EXIST);
	EXPECT(vm_translate(TEST_VA + 8, &phys));
	EXPECT_EQ(phys, p + 8);
	va[1] = 0x1234abcd;
	EXPECT_EQ(((uint64_t *)phys_to_virt(p))[1], 0x1234abcd);
	EXPECT_EQ(vm_unmap_page(TEST_VA), p);
	EXPECT(!vm_translate(TEST_VA, NULL));
	EXPECT_EQ(vm_unmap_page(TEST_VA), 0);
	pmm_free_page(p);
}

TEST(vm, access_to_unmapped_page_faults)
{
	struct fault_catch c;
	volatile uint64_t *va = (volatile uint64_t *)TEST_VA;

	if (fault_catch_begin(&c) == 0) {
		(void)va[0];
		fault_catch_end(&c);
		test_diag("reading an unmapped page did not fault");
		test_failed = true;
		return;
	}
	EXPECT_EQ(c.frame.vector, VEC_PAGE_FAULT);
	EXPECT_EQ(c.cr2, TEST_VA);
	EXPECT_EQ(c.frame.error & 1, 0); /* not present */
}

TEST(vm, kernel_code_is_not_writable)
{
	struct fault_catch c;

	if (fault_catch_begin(&c) == 0) {
		*(volatile char *)__text_start = 0;
		fault_catch_end(&c);
		test_diag("writing to kernel text did not fault");
		test_failed = true;
		return;
	}
	EXPECT_EQ(c.frame.vector, VEC_PAGE_FAULT);
	EXPECT_EQ(c.frame.error & 3, 3); /* present, write */
}

TEST(vm, data_is_not_executable)
{
	struct fault_catch c;
	void (*fn)(void) = (void (*)(void))(uintptr_t)__rodata_start;

	ASSERT(vm_nx_enabled());
	if (fault_catch_begin(&c) == 0) {
		fn();
		fault_catch_end(&c);
		test_diag("executing rodata did not fault");
		test_failed = true;
		return;
	}
	EXPECT_EQ(c.frame.vector, VEC_PAGE_FAULT);
	EXPECT(c.frame.error & 16); /* instruction fetch */
}

TEST(vm, lower_half_is_empty)
{
	EXPECT(!vm_translate(0, NULL));
	EXPECT(!vm_translate(0x100000, NULL)); /* the boot identity map is gone */
	EXPECT(!vm_translate(0x00007ffffffff000ull, NULL));
}
