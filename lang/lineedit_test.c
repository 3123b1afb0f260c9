/*
 * Tests of the shells' line editor (lang/lineedit.c): each key's effect
 * on the line it gives back, history, completion from a machine's words,
 * and what it draws on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hosted/lang_mem.h"
#include "lang/lineedit.h"
#include "lang/test_capture.h"
#include "lib/string.h"
#include "lib/test.h"

/* Feed keys; the last line completed (or "<eof>", or "<none>"). */
static const char *keys(struct lineedit *le, const char *s)
{
	static char last[LINEEDIT_MAX + 8];

	strcpy(last, "<none>");
	for (; *s; s++) {
		enum lineedit_event ev = lineedit_feed(le, *s);

		if (ev == LINEEDIT_LINE)
			strcpy(last, le->line);
		else if (ev == LINEEDIT_EOF)
			strcpy(last, "<eof>");
	}
	return last;
}

static struct lang_vm *machine(struct lang_mem *mem)
{
	struct lang_vm *vm = calloc(1, sizeof *vm);

	if (lang_mem_alloc(mem, 64 * 1024, 64 * 1024) != LM_OK ||
	    lang_init(vm, mem, NULL, NULL) != LM_OK)
		return NULL;
	return vm;
}

TEST(lineedit, editing_keys)
{
	struct lineedit le;

	lineedit_init(&le, NULL, false, NULL, NULL);
	EXPECT_STREQ(keys(&le, "1 2 + .\r"), "1 2 + .");
	EXPECT_STREQ(keys(&le, "12\x7f" "3\n"), "13");
	EXPECT_STREQ(keys(&le, "12\b3\n"), "13");
	EXPECT_STREQ(keys(&le, "garbage\x15" "5 .\n"), "5 .");
	EXPECT_STREQ(keys(&le, "ab\x1b[D\x1b[DX\x1b[CY\n"), "XaYb");
	EXPECT_STREQ(keys(&le, "bc\x01" "a\x05" "d\n"), "abcd");
	EXPECT_STREQ(keys(&le, "bc\x1b[Ha\x1b[Fd\x1bOD!\n"), "abc!d");
	EXPECT_STREQ(keys(&le, "x\x03y\n"), "y");
	EXPECT_STREQ(keys(&le, "\x7f\x1b[D\x1b[C\x1b[5~ok\n"), "ok");
	EXPECT_STREQ(keys(&le, "a\x02\x07" "b\n"), "ab");
	/* CR LF is one Enter; CR CR is two. */
	EXPECT_STREQ(keys(&le, "one\r\n"), "one");
	EXPECT_STREQ(keys(&le, "\n"), "");
	EXPECT_STREQ(keys(&le, "x\x04y\n"), "xy");
	EXPECT_STREQ(keys(&le, "\x04"), "<eof>");
}

TEST(lineedit, a_line_stops_at_its_maximum)
{
	struct lineedit le;
	char big[LINEEDIT_MAX + 50];

	lineedit_init(&le, NULL, false, NULL, NULL);
	memset(big, 'a', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	EXPECT_EQ(strlen(keys(&le, big)), LINEEDIT_MAX);
}

TEST(lineedit, history_up_and_down)
{
	struct lineedit le;

	lineedit_init(&le, NULL, false, NULL, NULL);
	keys(&le, "first\n");
	keys(&le, "second\n");
	keys(&le, "second\n"); /* a repeat is kept once */
	EXPECT_STREQ(keys(&le, "\x1b[A\n"), "second");
	EXPECT_STREQ(keys(&le, "\x1b[A\x1b[A\n"), "first");
	EXPECT_STREQ(keys(&le, "\x1b[A\x1b[A\x1b[A\x1b[A\x1b[B\n"), "second");
	EXPECT_STREQ(keys(&le, "\x1b[A\x1b[B\n"), "");
	EXPECT_STREQ(keys(&le, "\x1b[A" " 2\n"), "second 2");
	for (int i = 0; i < LINEEDIT_HISTORY + 5; i++) {
		char line[16];
		snprintf(line, sizeof line, "l%d\n", i);
		keys(&le, line);
	}
	EXPECT_EQ(le.nhistory, LINEEDIT_HISTORY);
	EXPECT_STREQ(keys(&le, "\x1b[A\n"), "l36");
}

TEST(lineedit, tab_completes_words)
{
	struct lang_mem mem;
	struct lang_vm *vm = machine(&mem);
	struct capture sc = { .len = 0 };
	struct lineedit le;

	ASSERT(vm);
	ASSERT_EQ(lang_eval(vm, "t", ": unique-name 1 ; : deci 2 ;", 28), LM_OK);
	lineedit_init(&le, vm, true, capture_write, &sc);
	EXPECT_STREQ(keys(&le, "1 uniq\t.\n"), "1 unique-name .");
	EXPECT_STREQ(keys(&le, "vari\t\n"), "variable ");
	/* decimal and deci: the common prefix, then the list. */
	EXPECT_STREQ(keys(&le, "dec\t\n"), "deci");
	sc.len = 0;
	EXPECT_STREQ(keys(&le, "deci\tmal\n"), "decimal");
	EXPECT(strstr(sc.buf, "\r\ndecimal deci \r\n") != NULL);
	EXPECT_STREQ(keys(&le, "zzz\t\n"), "zzz");
	lang_mem_free(&mem);
	free(vm);
}

TEST(lineedit, echo_draws_the_line)
{
	struct capture sc = { .len = 0 };
	struct lineedit le;

	lineedit_init(&le, NULL, true, capture_write, &sc);
	lineedit_prompt(&le, "> ");
	EXPECT_STREQ(sc.buf, "\r> ");
	sc.len = 0;
	keys(&le, "ab\x1b[D");
	/* Typed at the end, a byte is echoed as itself; a move redraws. */
	EXPECT_STREQ(sc.buf, "ab\r> ab\x1b[K\x1b[1D");
	sc.len = 0;
	keys(&le, "X");
	EXPECT_STREQ(sc.buf, "\r> aXb\x1b[K\x1b[1D");
	sc.len = 0;
	keys(&le, "\r");
	EXPECT_STREQ(sc.buf, "\r\n");
	sc.len = 0;
	lineedit_init(&le, NULL, false, capture_write, &sc);
	keys(&le, "abc\x1b[D\r");
	EXPECT_EQ(sc.len, 0);
}
