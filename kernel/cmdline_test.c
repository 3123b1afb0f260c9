#include <stdio.h>

#include "kernel/cmdline.h"
#include "lib/string.h"
#include "lib/test.h"

static char err[128];

/* Split line into "key=value|key|..." for easy comparison. */
static const char *split(const char *line)
{
	static char out[512];
	struct cmdline_word w;
	size_t cur = 0, used = 0;
	enum lm_err e;

	out[0] = 0;
	while ((e = cmdline_next(line, &cur, &w, err, sizeof err)) != LM_ERR_NOENT) {
		if (e) {
			used += (size_t)snprintf(out + used, sizeof out - used, "!|");
			continue;
		}
		used += (size_t)snprintf(out + used, sizeof out - used, "%.*s", (int)w.key_len, w.key);
		if (w.value)
			used += (size_t)snprintf(out + used, sizeof out - used, "=%.*s",
						 (int)w.value_len, w.value);
		used += (size_t)snprintf(out + used, sizeof out - used, "|");
	}
	return out;
}

TEST(cmdline, words)
{
	EXPECT_STREQ(split(""), "");
	EXPECT_STREQ(split("   "), "");
	EXPECT_STREQ(split("test=*"), "test=*|");
	EXPECT_STREQ(split("  a=1   b  c=x=y "), "a=1|b|c=x=y|");
	EXPECT_STREQ(split("init=/bin/init\tsched=0-2"), "init=/bin/init|sched=0-2|");
	EXPECT_STREQ(split("empty="), "empty=|");
}

TEST(cmdline, quotes)
{
	EXPECT_STREQ(split("init=\"/init -v\" x"), "init=/init -v|x|");
	EXPECT_STREQ(split("a=\"\""), "a=|");
}

TEST(cmdline, errors_are_reported_and_skipped)
{
	struct cmdline_word w;
	size_t cur = 0;

	EXPECT_STREQ(split("=5 ok"), "!|ok|");
	EXPECT_STREQ(split("a$b=1 ok"), "!|ok|");
	EXPECT_STREQ(split("a=\"x\"y ok"), "!|ok|");
	EXPECT_STREQ(split("a=\"never closed"), "!|");
	EXPECT_STREQ(split("k\x01=1 ok"), "!|ok|");

	EXPECT_EQ(cmdline_next("good =bad", &cur, &w, err, sizeof err), LM_OK);
	EXPECT_EQ(cmdline_next("good =bad", &cur, &w, err, sizeof err), LM_ERR_FORMAT);
	EXPECT_STREQ(err, "column 6: option without a name before '='");
	EXPECT_EQ(cmdline_next("good =bad", &cur, &w, err, sizeof err), LM_ERR_NOENT);

	cur = 0;
	EXPECT_EQ(cmdline_next("x=\"abc", &cur, &w, err, sizeof err), LM_ERR_FORMAT);
	EXPECT_STREQ(err, "column 3: unterminated quote");
}

TEST(cmdline, key_compare)
{
	struct cmdline_word w;
	size_t cur = 0;

	ASSERT_EQ(cmdline_next("test=pmm.*", &cur, &w, err, sizeof err), LM_OK);
	EXPECT(cmdline_key_is(&w, "test"));
	EXPECT(!cmdline_key_is(&w, "tes"));
	EXPECT(!cmdline_key_is(&w, "tests"));
	EXPECT_EQ(w.offset, 0);
}

TEST(cmdline, hart_sets)
{
	uint64_t m = 0;

	EXPECT_EQ(cmdline_parse_harts("0-2", 4, &m, err, sizeof err), LM_OK);
	EXPECT_EQ(m, 0x7);
	EXPECT_EQ(cmdline_parse_harts("0,3", 4, &m, err, sizeof err), LM_OK);
	EXPECT_EQ(m, 0x9);
	EXPECT_EQ(cmdline_parse_harts("1-1,2-3", 4, &m, err, sizeof err), LM_OK);
	EXPECT_EQ(m, 0xe);
	EXPECT_EQ(cmdline_parse_harts("0-63", 64, &m, err, sizeof err), LM_OK);
	EXPECT_EQ(m, ~0ull);

	EXPECT_EQ(cmdline_parse_harts("", 4, &m, err, sizeof err), LM_ERR_FORMAT);
	EXPECT_STREQ(err, "column 1: expected a hart number");
	EXPECT_EQ(cmdline_parse_harts("0-", 4, &m, err, sizeof err), LM_ERR_FORMAT);
	EXPECT_STREQ(err, "column 3: expected the end of the range");
	EXPECT_EQ(cmdline_parse_harts("3-1", 4, &m, err, sizeof err), LM_ERR_RANGE);
	EXPECT_STREQ(err, "column 1: range 3-1 runs backwards");
	EXPECT_EQ(cmdline_parse_harts("0,4", 4, &m, err, sizeof err), LM_ERR_RANGE);
	EXPECT_STREQ(err, "column 3: hart 4 does not exist (4 harts)");
	EXPECT_EQ(cmdline_parse_harts("0;1", 4, &m, err, sizeof err), LM_ERR_FORMAT);
	EXPECT_STREQ(err, "column 2: unexpected ';'");
	EXPECT_EQ(cmdline_parse_harts("0\x1b", 4, &m, err, sizeof err), LM_ERR_FORMAT);
	EXPECT_STREQ(err, "column 2: unexpected '\\x1b'");
	EXPECT_EQ(cmdline_parse_harts("99999999999", 4, &m, err, sizeof err), LM_ERR_RANGE);
	EXPECT_STREQ(err, "column 1: hart number too large (4 harts)");
	EXPECT_EQ(cmdline_parse_harts("0,1-99999999999", 4, &m, err, sizeof err), LM_ERR_RANGE);
	EXPECT_STREQ(err, "column 3: hart number too large (4 harts)");
	EXPECT_EQ(cmdline_parse_harts("100000", 64, &m, err, sizeof err), LM_ERR_RANGE);
	EXPECT_STREQ(err, "column 1: hart number too large (64 harts)");
	EXPECT_EQ(cmdline_parse_harts("99999", 64, &m, err, sizeof err), LM_ERR_RANGE);
	EXPECT_STREQ(err, "column 1: hart 99999 does not exist (64 harts)");
}
