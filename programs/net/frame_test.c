/*
 * Host unit tests of programs/net's own checks of received bytes
 * (frame.c): which frames go to lwIP, and which packets are the echo
 * reply a ping waits for.
 */
#include <string.h>

#include "lib/test.h"
#include "programs/net/frame.h"

/* An echo reply from 10.0.2.2 to 10.0.2.15, identifier 0x4c6d, sequence
 * number 1, with 4 bytes of data; `options` adds a 4-byte IP option. */
static size_t reply(uint8_t *p, bool options)
{
	size_t h = options ? 24 : 20;

	memset(p, 0, 64);
	p[0] = (uint8_t)(0x40 | h / 4);
	p[8] = 64;
	p[9] = 1;
	p[12] = 10, p[15] = 2, p[16] = 10, p[19] = 15;
	p[h + 4] = 0x4c, p[h + 5] = 0x6d, p[h + 7] = 1;
	memcpy(p + h + 8, "abcd", 4);
	return h + 12;
}

TEST(frame, acceptable_lengths)
{
	EXPECT(!net_frame_acceptable(0, 1514));
	EXPECT(!net_frame_acceptable(13, 1514));
	EXPECT(net_frame_acceptable(14, 1514));
	EXPECT(net_frame_acceptable(1514, 1514));
	EXPECT(!net_frame_acceptable(1515, 1514));
	EXPECT(!net_frame_acceptable(UINT64_MAX, 1514));
}

TEST(frame, echo_reply_matches)
{
	uint8_t p[64];
	size_t len = reply(p, false);

	EXPECT(net_echo_reply_matches(p, len, 0x4c6d, 1));
	EXPECT(net_echo_reply_matches(p, 28, 0x4c6d, 1)); /* the echo header is enough */
	len = reply(p, true);
	EXPECT(net_echo_reply_matches(p, len, 0x4c6d, 1));
}

TEST(frame, echo_reply_refusals)
{
	uint8_t p[64];
	size_t len = reply(p, false);

	EXPECT(!net_echo_reply_matches(p, len, 0x4c6e, 1)); /* another identifier */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 2)); /* a late reply */
	EXPECT(!net_echo_reply_matches(p, 27, 0x4c6d, 1));  /* cut in its echo header */
	EXPECT(!net_echo_reply_matches(p, 0, 0x4c6d, 1));
	p[20] = 8; /* an echo request */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 1));
	p[20] = 0, p[21] = 1; /* a code other than 0 */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 1));
	len = reply(p, false);
	p[9] = 17; /* UDP */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 1));
	len = reply(p, false);
	p[0] = 0x65; /* version 6 */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 1));
	p[0] = 0x44; /* a header of 16 bytes: too short to be one */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 1));
	p[0] = 0x4f; /* a 60-byte header the 32 bytes do not hold */
	EXPECT(!net_echo_reply_matches(p, len, 0x4c6d, 1));
}
