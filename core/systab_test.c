/* Tests of the system table's shared routines (core/systab.c), called the
 * way programs call them: through %gs. They run in the kernel and in the
 * hosted runtime (hosted_systab_test). */
#include <lemmings/systab.h>

#include "core/systab.h"
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
