/* In-kernel tests of the system table, called the way programs call it:
 * through %gs (sdk/include/lemmings/systab.h). */
#include <lemmings/systab.h>

#include "arch/layout.h"
#include "arch/vm.h"
#include "core/systab.h"
#include "core/thread.h"
#include "kernel/fault.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "lib/test.h"

static int triple(int x)
{
	return 3 * x;
}

static struct {
	struct lm_door door;
	int (*triple)(int);
} tripler = {
	.door = {.api_id = {{0x7e, 0x57, 1}}, .name = "systab-test", .routine_count = 1},
	.triple = triple,
};

TEST(systab, register_find_and_call_through_gs)
{
	const struct lm_door *d;
	uint64_t cookie = 0;
	int listed = 0;

	if (!lm_door_find(&tripler.door.api_id))
		ASSERT_EQ(lm_door_register(&tripler.door), LM_OK);
	EXPECT_EQ(lm_door_register(&tripler.door), LM_ERR_EXIST);
	d = lm_door_find(&tripler.door.api_id);
	ASSERT(d == &tripler.door);
	EXPECT_EQ(((typeof(tripler) *)d)->triple(14), 42);
	while ((d = lm_door_list(&cookie)))
		listed += d == &tripler.door;
	EXPECT_EQ(listed, 1);
}

TEST(systab, bad_pointers_are_refused)
{
	EXPECT(lm_door_find((const struct lm_api_id *)0xffffd0fff0000000ull) == NULL);
	EXPECT_EQ(lm_door_register((const struct lm_door *)0x1000), LM_ERR_FAULT);
	EXPECT(lm_door_list((uint64_t *)0x8) == NULL);
	lm_log((const char *)0x10, 5); /* reported, not fatal */
	lm_log("systab: log works\n", 18);
}

static void panicker(void *arg)
{
	lm_panic("deliberate", 10);
}

TEST(systab, panic_stops_only_the_calling_thread)
{
	struct thread_opts o = {.entry = panicker, .priority = PRIO_REGULAR, .name = "panicker",
				.hart = -1, .notify = thread_current(), .notify_bits = 1};
	uint64_t before = fault_count();
	const struct fault_record *r;

	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	thread_wait(1);
	ASSERT_EQ(fault_count(), before + 1);
	r = fault_get(before);
	ASSERT(r != NULL);
	EXPECT_STREQ(r->reason, "panic: deliberate");
	EXPECT_STREQ(r->thread_name, "panicker");
}

/* A spot in the programs region no other test maps (kernel/vm_test.c uses
 * the page after it). */
#define LOG_TEST_VA (PROGRAMS_BASE + 0x7ffe000000ull)

/* Text without a NUL that runs into an unmapped page: the log writes what
 * is readable and stops, whatever bound the caller names. */
TEST(systab, log_stops_at_an_unmapped_page)
{
	uint64_t p = pmm_alloc_zeroed_page();
	char *page = (char *)LOG_TEST_VA;

	ASSERT(p != 0);
	ASSERT_EQ(vm_map_page(LOG_TEST_VA, p, VM_WRITE), LM_OK);
	memset(page, 'y', PAGE_SIZE);
	page[PAGE_SIZE - 11] = '\n';
	EXPECT_EQ(systab_log_length(page + PAGE_SIZE - 10, 100), 10);
	EXPECT_EQ(systab_log_length(page + PAGE_SIZE - 10, 1ull << 40), 10);
	EXPECT_EQ(systab_log_length(page + PAGE_SIZE, 5), 0);
	lm_log(page + PAGE_SIZE - 12, 1ull << 40); /* "y\nyyyyyyyyyy", then the end */
	lm_log("\n", 1);
	EXPECT_EQ(vm_unmap_page(LOG_TEST_VA), p);
	pmm_free_page(p);
}

/* LM_SYS_MEMORY_CHECK answers from the page tables: a writable page, the
 * same page read-only, the unmapped page after it, NULL, a wrapping range
 * and an empty one. */
TEST(systab, memory_check_follows_the_page_tables)
{
	uint64_t p = pmm_alloc_zeroed_page();
	char *page = (char *)LOG_TEST_VA;

	ASSERT(p != 0);
	ASSERT_EQ(vm_map_page(LOG_TEST_VA, p, VM_WRITE), LM_OK);
	EXPECT_EQ(lm_memory_check(page, PAGE_SIZE, true), LM_OK);
	EXPECT_EQ(lm_memory_check(page + 100, 200, false), LM_OK);
	EXPECT_EQ(lm_memory_check(page + PAGE_SIZE - 8, 16, false), LM_ERR_FAULT);
	EXPECT_EQ(lm_memory_check(page + PAGE_SIZE, 1, false), LM_ERR_FAULT);
	EXPECT_EQ(lm_memory_check(NULL, 8, false), LM_ERR_FAULT);
	EXPECT_EQ(lm_memory_check(page, (size_t)-1, false), LM_ERR_FAULT);
	EXPECT_EQ(lm_memory_check(NULL, 0, true), LM_OK);
	EXPECT_EQ(vm_unmap_page(LOG_TEST_VA), p);
	ASSERT_EQ(vm_map_page(LOG_TEST_VA, p, 0), LM_OK); /* read-only */
	EXPECT_EQ(lm_memory_check(page, PAGE_SIZE, false), LM_OK);
	EXPECT_EQ(lm_memory_check(page, 1, true), LM_ERR_FAULT);
	EXPECT_EQ(vm_unmap_page(LOG_TEST_VA), p);
	pmm_free_page(p);
}
