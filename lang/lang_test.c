/*
 * Tests of the init language (lang/): every word, every error with its
 * position, control structures nested, recursion, definitions using
 * definitions, and that a machine stays usable after each error.
 */
#include <stdlib.h>

#include "hosted/lang_mem.h"
#include "lang/lang.h"
#include "lib/string.h"
#include "lib/test.h"

struct out {
	char buf[8192];
	size_t len;
};

static void out_write(void *ctx, const char *s, size_t len)
{
	struct out *o = ctx;

	if (len > sizeof o->buf - 1 - o->len)
		len = sizeof o->buf - 1 - o->len;
	memcpy(o->buf + o->len, s, len);
	o->len += len;
	o->buf[o->len] = '\0';
}

struct box {
	struct lang_vm *vm;
	struct lang_mem mem;
	struct out out;
};

static struct box *box_new(void)
{
	struct box *b = calloc(1, sizeof *b);

	b->vm = calloc(1, sizeof *b->vm);
	if (lang_mem_alloc(&b->mem, 256 * 1024, 256 * 1024) != LM_OK ||
	    lang_init(b->vm, &b->mem, out_write, &b->out) != LM_OK) {
		test_fail_bool(__FILE__, __LINE__, "a machine");
		return NULL;
	}
	return b;
}

static void box_free(struct box *b)
{
	lang_mem_free(&b->mem);
	free(b->vm);
	free(b);
}

/* Run a script; return its output (error lines included). */
static const char *run(struct box *b, const char *text)
{
	b->out.len = 0;
	b->out.buf[0] = '\0';
	lang_eval(b->vm, "t.fs", text, strlen(text));
	return b->out.buf;
}

TEST(lang, smoke)
{
	struct box *b = box_new();

	ASSERT(b);
	EXPECT_STREQ(run(b, "1 2 + ."), "3 ");
	EXPECT_STREQ(run(b, ": sq dup * ; 7 sq ."), "49 ");
	EXPECT_STREQ(run(b, "drop"), "t.fs:1:1: error: stack underflow\n");
	EXPECT_STREQ(run(b, "10 0 do i . loop"), "0 1 2 3 4 5 6 7 8 9 ");
	box_free(b);
}
