/* A full hallway says so (host: a process of its own, since the hallway
 * never forgets and the other tests need room). */
#include "core/hallway.h"
#include "lib/test.h"

TEST(hallway, full_hallway_says_so)
{
	static struct lm_door extra[HALLWAY_MAX + 1];
	uint32_t i, n = hallway_count();
	enum lm_err err = LM_OK;

	for (i = 0; i <= HALLWAY_MAX && err == LM_OK; i++) {
		extra[i].api_id.bytes[0] = 0x99;
		extra[i].api_id.bytes[1] = (uint8_t)i;
		extra[i].api_id.bytes[2] = (uint8_t)(i >> 8);
		extra[i].name = "filler";
		err = hallway_register(&extra[i]);
	}
	EXPECT_EQ(err, LM_ERR_FULL);
	EXPECT_EQ(hallway_count(), HALLWAY_MAX);
	EXPECT_EQ(i - 1, HALLWAY_MAX - n);
}
