/* Hallway tests: built into the kernel and into a host test binary. */
#include "core/hallway.h"
#include "lib/test.h"

static struct lm_door door_a = {.api_id = {{0xa1, 1}}, .name = "test-a"};
static struct lm_door door_b = {.api_id = {{0xb2, 2}}, .name = "test-b"};
static struct lm_door door_a_again = {.api_id = {{0xa1, 1}}, .name = "impostor"};
static struct lm_door door_zero = {.name = "zero"};
static struct lm_door door_unnamed = {.api_id = {{0xc3}}};

TEST(hallway, register_find_duplicate)
{
	static int done;
	struct lm_api_id missing = {{0xee, 0xee}};

	if (!done) { /* the hallway never forgets: register once per boot */
		ASSERT_EQ(hallway_register(&door_a), LM_OK);
		ASSERT_EQ(hallway_register(&door_b), LM_OK);
		done = 1;
	}
	EXPECT_EQ(hallway_register(&door_a_again), LM_ERR_EXIST);
	EXPECT_EQ(hallway_register(&door_a), LM_ERR_EXIST);
	EXPECT(hallway_find(&door_a.api_id) == &door_a);
	EXPECT(hallway_find(&door_b.api_id) == &door_b);
	EXPECT(hallway_find(&missing) == NULL);
}

TEST(hallway, bad_arguments_are_errors)
{
	struct lm_api_id zero = {{0}};

	EXPECT_EQ(hallway_register(NULL), LM_ERR_INVAL);
	EXPECT_EQ(hallway_register(&door_zero), LM_ERR_INVAL);
	EXPECT_EQ(hallway_register(&door_unnamed), LM_ERR_INVAL);
	EXPECT(hallway_find(&zero) == NULL);
	EXPECT(hallway_find(NULL) == NULL);
	EXPECT(hallway_list(NULL) == NULL);
}

TEST(hallway, iterate_with_a_cookie)
{
	uint64_t cookie = 0;
	const struct lm_door *d;
	int seen_a = 0, seen_b = 0, n = 0;

	hallway_register(&door_a);
	hallway_register(&door_b);
	while ((d = hallway_list(&cookie))) {
		seen_a += d == &door_a;
		seen_b += d == &door_b;
		n++;
	}
	EXPECT_EQ(seen_a, 1);
	EXPECT_EQ(seen_b, 1);
	EXPECT_EQ(n, hallway_count());
	EXPECT(hallway_list(&cookie) == NULL); /* stays at the end */
}
