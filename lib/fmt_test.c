/* Deliberately odd format strings are part of what is tested here. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#include <stdint.h>

#include "lib/fmt.h"
#include "lib/test.h"

static char out[128];

#define CHECK_FMT(expect, ...)                                               \
	do {                                                                 \
		size_t n_ = fmt_snprintf(out, sizeof out, __VA_ARGS__);      \
		EXPECT_STREQ(out, expect);                                   \
		EXPECT_EQ(n_, sizeof(expect) - 1);                           \
	} while (0)

TEST(fmt, integers)
{
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("-42", "%d", -42);
	CHECK_FMT("-2147483648", "%d", INT32_MIN);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK_FMT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK_FMT("ff FF 0xff 17", "%x %X %#x %o", 255, 255, 255, 15);
	CHECK_FMT("+5  5", "%+d % d", 5, 5);
	CHECK_FMT("255 -1", "%hhu %hhd", 0x1ff, 0xff);
}

TEST(fmt, width_precision)
{
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("00042", "%05d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("  007", "%5.3d", 7);
	CHECK_FMT("0000000000001000", "%016llx", 0x1000ULL);
	CHECK_FMT("   ab", "%*s", 5, "ab");
	CHECK_FMT("ab   |", "%-*s|", 5, "ab");
	CHECK_FMT("abc", "%.3s", "abcdef");
	CHECK_FMT("ab", "%.*s", 2, "abcdef");
}

TEST(fmt, misc)
{
	CHECK_FMT("x=(null)", "x=%s", (char *)0);
	CHECK_FMT("100%", "100%%");
	CHECK_FMT("c=A", "c=%c", 'A');
	CHECK_FMT("0x1234", "%p", (void *)0x1234);
	CHECK_FMT("%q", "%q");
	CHECK_FMT("end%", "end%");
}

TEST(fmt, truncation)
{
	char small[4];
	size_t n = fmt_snprintf(small, sizeof small, "%d", 123456);

	EXPECT_EQ(n, 6);
	EXPECT_STREQ(small, "123");
	n = fmt_snprintf(small, 0, "abc");
	EXPECT_EQ(n, 3);
}

TEST(fmt, escape_keeps_terminals_safe)
{
	char buf[64];

	EXPECT_EQ(fmt_escape(buf, sizeof buf, "init=/bin/a b", 13), 13);
	EXPECT_STREQ(buf, "init=/bin/a b");
	EXPECT_EQ(fmt_escape(buf, sizeof buf, "\x1b[2J\"\\\x7f\xff", 8), 19);
	EXPECT_STREQ(buf, "\\x1b[2J\\\"\\\\\\x7f\\xff");
	/* A NUL in the middle is shown, not an end. */
	EXPECT_EQ(fmt_escape(buf, sizeof buf, "a\0b", 3), 6);
	EXPECT_STREQ(buf, "a\\x00b");
	/* Truncation never splits past the end and always terminates. */
	EXPECT_EQ(fmt_escape(buf, 4, "\x1b\x1b", 2), 8);
	EXPECT_STREQ(buf, "\\x1");
	EXPECT_EQ(fmt_escape(buf, 1, "abc", 3), 3);
	EXPECT_STREQ(buf, "");
}
