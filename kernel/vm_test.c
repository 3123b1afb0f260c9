/* In-kernel tests of page mapping and protection. */
#include "arch/trap.h"
#include "arch/vm.h"
#include "kernel/fault.h"
#include "kernel/kstack.h"
#include "kernel/memmap.h"
#include "kernel/pmm.h"
#include "lib/test.h"

/* A spot in the programs region that nothing else uses during tests. */
#define TEST_VA (PROGRAMS_BASE + 0x7fff000000ull)

/* Device addresses in two 512 GiB slots of the direct map that nothing
 * maps in a test machine (the last two below 64 TiB): mapping a page there
 * needs three new tables. Each test uses its own, once per boot. */
#define MMIO_FRESH_A 0x3f8000000000ull
#define MMIO_FRESH_B 0x3f0000000000ull

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

TEST(vm, mmio_rejects_bad_ranges)
{
	void *va = (void *)1;
	uint64_t before = pmm_free_pages();

	EXPECT_EQ(vm_map_mmio(0xfec00000, 0, &va), LM_ERR_INVAL);
	EXPECT_EQ(vm_map_mmio(DIRECT_MAP_SIZE - 0x1000, 0x2000, &va), LM_ERR_RANGE);
	EXPECT_EQ(vm_map_mmio(DIRECT_MAP_SIZE, 0x1000, &va), LM_ERR_RANGE);
	EXPECT_EQ(vm_map_mmio(UINT64_MAX - 0xff, 0x1000, &va), LM_ERR_RANGE);
	EXPECT_EQ(vm_map_mmio(0x1000, UINT64_MAX, &va), LM_ERR_RANGE);
	EXPECT_EQ((uintptr_t)va, 1);
	EXPECT_EQ(pmm_free_pages(), before);
}

/*
 * Make each page-table allocation of a mapping that needs new tables fail
 * in turn: every failure must return LM_ERR_NOMEM with no page kept, no
 * table added and nothing mapped. Once the failing allocation lies past
 * those needed, the mapping works and has taken exactly one page per table.
 */
TEST(vm, mmio_table_allocation_failure_leaks_nothing)
{
	uint64_t phys = MMIO_FRESH_A + 0x123000, pages = pmm_free_pages(), tables = vm_table_pages();
	unsigned nth;
	enum lm_err err = LM_ERR_NOMEM;
	void *va = NULL;

	ASSERT(!vm_translate(DIRECT_MAP_BASE + phys, NULL));
	for (nth = 1; nth <= 8; nth++) {
		vm_mmio_fail_table_alloc(nth);
		err = vm_map_mmio(phys, 0x10, &va);
		if (err == LM_OK)
			break;
		EXPECT_EQ(err, LM_ERR_NOMEM);
		EXPECT_EQ(pmm_free_pages(), pages);
		EXPECT_EQ(vm_table_pages(), tables);
		EXPECT(!vm_translate(DIRECT_MAP_BASE + phys, NULL));
		EXPECT(va == NULL);
	}
	ASSERT_EQ(err, LM_OK);
	test_diag("the mapping needed %u new page tables", nth - 1);
	EXPECT_EQ(nth - 1, 3); /* a fresh 512 GiB slot: PDPT, PD and PT */
	EXPECT_EQ(vm_table_pages() - tables, nth - 1);
	EXPECT_EQ(pages - pmm_free_pages(), nth - 1);
	EXPECT(va == phys_to_virt(phys));
	{
		uint64_t got = 0;

		EXPECT(vm_translate((uintptr_t)va, &got));
		EXPECT_EQ(got, phys);
	}

	/* Mapped again, it needs nothing more; the hook is spent. */
	pages = pmm_free_pages();
	EXPECT_EQ(vm_map_mmio(phys, 0x10, &va), LM_OK);
	EXPECT_EQ(pmm_free_pages(), pages);
	EXPECT_EQ(vm_unmap_page((uintptr_t)va & ~0xfffull), phys & ~0xfffull);
}

/*
 * The same with memory really exhausted: all pages taken but two, while the
 * mapping needs three. The two it set aside must come back.
 */
TEST(vm, mmio_out_of_memory_leaks_nothing)
{
	uint64_t before, tables = vm_table_pages(), list = 0, p;
	void *va = NULL;

	kstack_drain();
	before = pmm_free_pages();
	while ((p = pmm_alloc_page())) {
		*(uint64_t *)phys_to_virt(p) = list;
		list = p;
	}
	for (int i = 0; i < 2 && list; i++) {
		p = list;
		list = *(uint64_t *)phys_to_virt(p);
		pmm_free_page(p);
	}
	EXPECT_EQ(pmm_free_pages(), 2);
	EXPECT_EQ(vm_map_mmio(MMIO_FRESH_B, 0x1000, &va), LM_ERR_NOMEM);
	EXPECT_EQ(pmm_free_pages(), 2);
	EXPECT_EQ(vm_table_pages(), tables);
	EXPECT(!vm_translate(DIRECT_MAP_BASE + MMIO_FRESH_B, NULL));
	EXPECT(va == NULL);
	while (list) {
		p = list;
		list = *(uint64_t *)phys_to_virt(p);
		pmm_free_page(p);
	}
	EXPECT_EQ(pmm_free_pages(), before);
}

/* Every range of RAM and firmware tables in the resolved memory map
 * (pmm_memory_map) is in the direct map, first byte to last. */
TEST(vm, direct_map_covers_the_resolved_memory_map)
{
	const struct memmap_range *map;
	uint32_t count = pmm_memory_map(&map), checked = 0;

	ASSERT(count > 0);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t ends[2] = {map[i].base, map[i].end - 1};

		if (map[i].type != BOOT_MEM_RAM && map[i].type != BOOT_MEM_ACPI &&
		    map[i].type != BOOT_MEM_NVS)
			continue;
		for (int e = 0; e < 2; e++) {
			uint64_t phys = 0;

			EXPECT(vm_translate((uintptr_t)phys_to_virt(ends[e]), &phys));
			EXPECT_EQ(phys, ends[e]);
		}
		checked++;
	}
	EXPECT(checked > 0);
}
