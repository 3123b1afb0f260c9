/* Tests of the system table's shared routines (core/systab.c), called the
 * way programs call them: through %gs. They run in the kernel and in the
 * hosted runtime (hosted_systab_test). */
#include <lemmings/systab.h>

#include <stdint.h>

#include "core/systab.h"
#include "lib/string.h"
#include "lib/test.h"

static struct lm_door counted = {
	.api_id = {{0x7e, 0x57, 2}},
	.name = "systab-counted",
};

/*
 * A door's size is its header plus 8 bytes per routine. A count of 2^61
 * makes that product wrap to 0, so a check of the wrapped size would pass
 * over memory that is only the header. Counts above the cap are refused
 * before the size is computed, in both homes.
 */
TEST(systab, door_register_refuses_impossible_routine_counts)
{
	static const uint64_t counts[] = {
		1ull << 61,                   /* 8 * count wraps to 0 */
		(1ull << 61) + 1,             /* wraps to 8 */
		UINT64_MAX,                   /* wraps to -8 */
		1ull << 40,                   /* no wrap, but 8 TiB of routines */
		SYSTAB_DOOR_ROUTINES_MAX + 1, /* just above the cap */
	};

	for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		counted.routine_count = counts[i];
		EXPECT_EQ(lm_door_register(&counted), LM_ERR_INVAL);
	}
	EXPECT(lm_door_find(&counted.api_id) == NULL);
}

/* A log call's length is a bound: the text ends at its NUL, and no call
 * writes more than SYSTAB_LOG_MAX bytes, whatever length it names. */
TEST(systab, log_stops_at_the_nul_and_the_cap)
{
	static char long_text[2 * SYSTAB_LOG_MAX + 1];

	EXPECT_EQ(systab_log_length("abc\0after the string", 1ull << 40), 3);
	EXPECT_EQ(systab_log_length("abc\0after", 2), 2);
	EXPECT_EQ(systab_log_length("", 1ull << 40), 0);
	EXPECT_EQ(systab_log_length(NULL, 5), 0);
	memset(long_text, 'x', sizeof long_text - 1);
	EXPECT_EQ(systab_log_length(long_text, 1ull << 40), SYSTAB_LOG_MAX);
	EXPECT_EQ(systab_log_length(long_text, SIZE_MAX), SYSTAB_LOG_MAX);
	EXPECT_EQ(systab_log_length(long_text + 10, 100), 100);
	lm_log("systab: a huge bound prints only the string\n", 1ull << 40);
}
