/*
 * The hosted Memory door's table of runs (hosted/runtab.c) on the host,
 * under ASan and UBSan: the edge cases, then a long random walk checked
 * against a plain array.
 */
#include <stdlib.h>
#include <string.h>

#include "hosted/runtab.h"
#include "lib/test.h"

TEST(runtab, exact_runs_only)
{
	struct runtab_slot slots[8] = {0};
	struct runtab t;

	runtab_init(&t, slots, 8);
	EXPECT_EQ(runtab_add(&t, 0, 1), LM_ERR_INVAL);
	EXPECT_EQ(runtab_add(&t, 0x1000, 0), LM_ERR_INVAL);
	EXPECT_EQ(runtab_add(&t, 0x1000, 4), LM_OK);
	EXPECT_EQ(runtab_add(&t, 0x1000, 1), LM_ERR_EXIST);
	EXPECT_EQ(runtab_remove(&t, 0x1000, 3), LM_ERR_INVAL);
	EXPECT_EQ(runtab_remove(&t, 0x1000, 5), LM_ERR_INVAL);
	EXPECT_EQ(runtab_remove(&t, 0x2000, 3), LM_ERR_INVAL);
	EXPECT_EQ(runtab_remove(&t, 0, 0), LM_ERR_INVAL);
	EXPECT_EQ(t.count, 1);
	EXPECT_EQ(runtab_remove(&t, 0x1000, 4), LM_OK);
	EXPECT_EQ(runtab_remove(&t, 0x1000, 4), LM_ERR_INVAL); /* twice */
	EXPECT_EQ(t.count, 0);
}

TEST(runtab, three_quarters_full_is_full)
{
	struct runtab_slot slots[16] = {0};
	struct runtab t;

	runtab_init(&t, slots, 16);
	for (uint64_t i = 1; i <= 12; i++)
		EXPECT_EQ(runtab_add(&t, i << 12, i), LM_OK);
	EXPECT_EQ(runtab_add(&t, 13 << 12, 1), LM_ERR_FULL);
	EXPECT_EQ(runtab_remove(&t, 5 << 12, 5), LM_OK);
	EXPECT_EQ(runtab_add(&t, 13 << 12, 1), LM_OK);
	for (uint64_t i = 1; i <= 13; i++)
		if (i != 5)
			EXPECT_EQ(runtab_remove(&t, i << 12, i == 13 ? 1 : i), LM_OK);
	EXPECT_EQ(t.count, 0);
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(slots[i].addr, 0);
}

#define CAP 256
#define LIVE_MAX 192
#define STEPS 200000

/* Random adds and removes, some of them wrong on purpose, in a small table
 * so that clusters wrap around its end; the table must agree with the
 * array of live runs at every step, and every live run must stay
 * removable (no entry lost by a removal's shifting). */
TEST(runtab, random_walk_agrees_with_a_list)
{
	static struct runtab_slot slots[CAP];
	static uint64_t live_addr[LIVE_MAX], live_pages[LIVE_MAX];
	struct runtab t;
	uint64_t seed = 12345, live = 0, mismatches = 0;

	memset(slots, 0, sizeof slots);
	runtab_init(&t, slots, CAP);
	for (int step = 0; step < STEPS; step++) {
		uint64_t r, addr, pages;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		r = seed >> 33;
		addr = ((r % 4096) + 1) << 12; /* collisions are likely */
		pages = 1 + (r >> 12) % 8;
		if (r % 3 == 0 && live) {
			uint64_t k = (r >> 16) % live;

			/* A wrong length first: refused, nothing changes. */
			if (runtab_remove(&t, live_addr[k], live_pages[k] + 1) != LM_ERR_INVAL)
				mismatches++;
			if (runtab_remove(&t, live_addr[k], live_pages[k]) != LM_OK)
				mismatches++;
			live--;
			live_addr[k] = live_addr[live];
			live_pages[k] = live_pages[live];
		} else {
			bool known = false;
			enum lm_err err, want;

			for (uint64_t k = 0; k < live; k++)
				known |= live_addr[k] == addr;
			want = known ? LM_ERR_EXIST : live + 1 > CAP / 4 * 3 ? LM_ERR_FULL : LM_OK;
			err = runtab_add(&t, addr, pages);
			if (err != want)
				mismatches++;
			if (!err && live < LIVE_MAX) {
				live_addr[live] = addr;
				live_pages[live++] = pages;
			}
		}
		if (t.count != live)
			mismatches++;
	}
	EXPECT_EQ(mismatches, 0);
	for (uint64_t k = 0; k < live; k++)
		EXPECT_EQ(runtab_remove(&t, live_addr[k], live_pages[k]), LM_OK);
	EXPECT_EQ(t.count, 0);
}
