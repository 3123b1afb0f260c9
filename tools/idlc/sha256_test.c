/*
 * SHA-256 against the FIPS 180-2 example vectors ("abc", the 448-bit
 * message, and the empty string), whole and fed in pieces.
 */
#include <stdio.h>
#include <string.h>

#include "lib/test.h"
#include "tools/idlc/sha256.h"

static const char *hex(const uint8_t d[SHA256_DIGEST_SIZE], char out[65])
{
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

static const char *digest_of(const char *msg, char out[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256(msg, strlen(msg), d);
	return hex(d, out);
}

TEST(sha256, abc)
{
	char h[65];

	EXPECT_STREQ(digest_of("abc", h),
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(sha256, empty)
{
	char h[65];

	EXPECT_STREQ(digest_of("", h),
		     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256, two_blocks_448_bits)
{
	char h[65];

	EXPECT_STREQ(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h),
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* The same digest however the input is split. */
TEST(sha256, incremental)
{
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[SHA256_DIGEST_SIZE];
	char h[65];

	for (size_t step = 1; step < 64; step += 7) {
		struct sha256 s;

		sha256_init(&s);
		for (size_t i = 0; i < strlen(msg); i += step) {
			size_t n = strlen(msg) - i < step ? strlen(msg) - i : step;

			sha256_update(&s, msg + i, n);
		}
		sha256_final(&s, d);
		EXPECT_STREQ(hex(d, h),
			     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	}
}

/* One million 'a' (FIPS 180-2, example 3): many blocks. */
TEST(sha256, million_a)
{
	static char block[1000];
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256 s;
	char h[65];

	memset(block, 'a', sizeof block);
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, block, sizeof block);
	sha256_final(&s, d);
	EXPECT_STREQ(hex(d, h),
		     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
