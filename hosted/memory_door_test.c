/*
 * What only the Memory door's hosted home does (hosted/memory_door.c); what
 * both homes do is in services/memory_test.c, built into the same binary.
 */
#include <lemmings/memory.h>

#include "lib/test.h"

TEST(memory_hosted, no_physical_memory_here)
{
	const struct memory_door *d = memory_door_find();
	struct memory_info info;
	struct memory_run run;

	ASSERT(d != NULL);
	EXPECT_EQ(memory_alloc(d, 1, 1, 0, &run), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(memory_alloc(d, 1, 0, 1ull << 32, &run), LM_ERR_UNSUPPORTED);
	ASSERT_EQ(memory_query(d, &info), LM_OK);
	EXPECT_EQ(info.total_pages, 64 * 256); /* the budget test_main gives */
	EXPECT_EQ(info.free_pages, info.total_pages);
}

/* A run given back is Linux's again: the same address may come back from
 * a later mapping, and the table must take it as new. */
TEST(memory_hosted, a_run_freed_and_taken_again)
{
	const struct memory_door *d = memory_door_find();
	struct memory_run a, b;

	for (int i = 0; i < 1000; i++) {
		ASSERT_EQ(memory_alloc(d, 3, 0, 0, &a), LM_OK);
		((volatile uint8_t *)a.addr)[3 * 4096 - 1] = 1;
		ASSERT_EQ(memory_free(d, a.addr, 3), LM_OK);
		ASSERT_EQ(memory_alloc(d, 3, 0, 0, &b), LM_OK);
		EXPECT_EQ(((volatile uint8_t *)b.addr)[3 * 4096 - 1], 0);
		ASSERT_EQ(memory_free(d, b.addr, 3), LM_OK);
	}
}
