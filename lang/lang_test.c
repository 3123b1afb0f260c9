/*
 * Tests of the init language (lang/): every word, every error with its
 * position, control structures nested, recursion, definitions using
 * definitions, and that a machine stays usable after each error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hosted/lang_mem.h"
#include "lang/lang.h"
#include "lang/test_capture.h"
#include "lib/string.h"
#include "lib/test.h"

struct box {
	struct lang_vm *vm;
	struct lang_mem mem;
	struct capture out;
};

static struct box *box_new_sized(size_t code_size)
{
	struct box *b = calloc(1, sizeof *b);

	b->vm = calloc(1, sizeof *b->vm);
	if (lang_mem_alloc(&b->mem, code_size, 256 * 1024) != LM_OK ||
	    lang_init(b->vm, &b->mem, capture_write, &b->out) != LM_OK) {
		test_fail_bool(__FILE__, __LINE__, "a machine");
		return NULL;
	}
	lang_set_budget(b->vm, 1000000);
	return b;
}

static struct box *box_new(void)
{
	return box_new_sized(256 * 1024);
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

/* Each case: a script and exactly what it prints. */
struct lang_case {
	const char *script;
	const char *out;
};

static void run_cases(const struct lang_case *cases, size_t n)
{
	struct box *b = box_new();

	if (!b)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *got = run(b, cases[i].script);

		if (!test_streq(got, cases[i].out)) {
			test_diag("script: %s", cases[i].script);
			EXPECT_STREQ(got, cases[i].out);
		}
		/* After an error the machine is usable, its stack empty. */
		if (strstr(cases[i].out, ": error: ")) {
			EXPECT_EQ(lang_stack(b->vm, NULL, 0), 0);
			EXPECT_STREQ(run(b, "1 2 + ."), "3 ");
		}
		b->vm->regs.sp = b->vm->regs.sbase;
	}
	box_free(b);
}

#define RUN_CASES(c) run_cases(c, sizeof c / sizeof c[0])

TEST(lang, numbers)
{
	static const struct lang_case c[] = {
		{ "0 .", "0 " },
		{ "42 .", "42 " },
		{ "-17 .", "-17 " },
		{ "0x1F .", "31 " },
		{ "0X1f .", "31 " },
		{ "$ff .", "255 " },
		{ "-0x10 .", "-16 " },
		{ "-$10 .", "-16 " },
		{ "9223372036854775807 .", "9223372036854775807 " },
		{ "-9223372036854775808 .", "-9223372036854775808 " },
		{ "0xffffffffffffffff .", "-1 " },
		{ "0x7fffffff . 0x80000000 . -2147483648 . -2147483649 .",
		  "2147483647 2147483648 -2147483648 -2147483649 " },
		{ "123456789012 .", "123456789012 " },
		{ "255 hex . decimal 255 .", "ff 255 " },
		{ "-1 u.", "18446744073709551615 " },
		{ "true . false . bl . cell .", "-1 0 32 8 " },
	};
	RUN_CASES(c);
}

TEST(lang, stack_words)
{
	static const struct lang_case c[] = {
		{ "1 dup .s", "<2> 1 1 " },
		{ "1 2 drop .s", "<1> 1 " },
		{ "1 2 swap .s", "<2> 2 1 " },
		{ "1 2 over .s", "<3> 1 2 1 " },
		{ "1 2 3 rot .s", "<3> 2 3 1 " },
		{ "1 2 nip .s", "<1> 2 " },
		{ "1 2 tuck .s", "<3> 2 1 2 " },
		{ "1 2 2dup .s", "<4> 1 2 1 2 " },
		{ "1 2 3 2drop .s", "<1> 1 " },
		{ "7 8 9 depth .", "3 " },
		{ "depth .", "0 " },
		{ ".s", "<0> " },
	};
	RUN_CASES(c);
}

TEST(lang, arithmetic_logic_comparison)
{
	static const struct lang_case c[] = {
		{ "2 3 + .", "5 " },
		{ "2 3 - .", "-1 " },
		{ "6 -7 * .", "-42 " },
		{ "17 5 / . 17 5 mod . -17 5 / . -17 5 mod .", "3 2 -3 -2 " },
		{ "17 5 /mod . .", "3 2 " },
		{ "-9223372036854775808 -1 / .", "-9223372036854775808 " },
		{ "-9223372036854775808 -1 mod .", "0 " },
		{ "12 10 and . 12 10 or . 12 10 xor .", "8 14 6 " },
		{ "0 invert . 5 negate . -5 abs . 5 abs .", "-1 -5 5 5 " },
		{ "5 1+ . 5 1- .", "6 4 " },
		{ "1 4 lshift . 256 4 rshift . -1 60 rshift .", "16 16 15 " },
		{ "3 9 min . 3 9 max . -3 -9 min . -3 -9 max .", "3 9 -9 -3 " },
		{ "3 3 = . 3 4 = . 3 4 <> . 3 3 <> .", "-1 0 -1 0 " },
		{ "3 4 < . 4 3 < . -1 0 < . 3 4 > . 4 3 > .", "-1 0 -1 0 -1 " },
		{ "-1 0 u< . 0 -1 u< .", "0 -1 " },
		{ "0 0= . 7 0= . -7 0< . 7 0< .", "-1 0 -1 0 " },
	};
	RUN_CASES(c);
}

TEST(lang, memory_words)
{
	static const struct lang_case c[] = {
		{ "variable x 42 x ! x @ .", "42 " },
		{ "variable y y @ .", "0 " },
		{ "5 y ! 3 y +! y @ .", "8 " },
		{ "variable z 0x1234 z ! z c@ . 0xab z c! z @ hex . decimal", "52 12ab " },
		{ "10 constant ten ten ten * .", "100 " },
		{ "x cell + @ .", "8 " }, /* y follows x */
	};
	RUN_CASES(c);
}

TEST(lang, output_words)
{
	static const struct lang_case c[] = {
		{ "65 emit 66 emit cr", "AB\n" },
		{ ".\" hello, world\" cr", "hello, world\n" },
		{ "s\" abc\" type space s\" abc\" . drop", "abc 3 " },
		{ "s\" \" . drop", "0 " },
		{ ": greet .\" hi \" ; greet greet", "hi hi " },
	};
	RUN_CASES(c);
}

TEST(lang, dump_shows_hex_and_text)
{
	struct box *b = box_new();
	const char *got;
	char want[128];

	ASSERT(b);
	got = run(b, "variable v 0x4241 v ! v 3 dump");
	snprintf(want, sizeof want, "%016llx: 41 42 00%39s..\n",
		 (unsigned long long)(uintptr_t)b->vm->data, "AB");
	/* The text column follows two blanks after the 16 hex columns. */
	EXPECT_EQ(strlen(got), 16 + 1 + 16 * 3 + 2 + 3 + 1);
	EXPECT(strncmp(got, want, 17 + 9) == 0);
	EXPECT(strstr(got, "  AB.\n") != NULL);
	box_free(b);
}

TEST(lang, words_lists_built_in_and_defined)
{
	struct box *b = box_new();
	const char *got;

	ASSERT(b);
	got = run(b, ": my-word ; words");
	EXPECT(strncmp(got, "dup drop swap ", 14) == 0);
	EXPECT(strstr(got, " variable ") != NULL);
	EXPECT(strstr(got, " my-word \n") != NULL);
	EXPECT_STREQ(lang_word_name(b->vm, 0), "dup");
	box_free(b);
}

TEST(lang, comments)
{
	static const struct lang_case c[] = {
		{ "1 \\ 2 .\n3 . .", "3 1 " },
		{ "1 ( 2 . ) 3 . .", "3 1 " },
		{ "1 ( a comment\nover lines ) .", "1 " },
		{ "( ) 5 .", "5 " },
	};
	RUN_CASES(c);
}

TEST(lang, control_structures)
{
	static const struct lang_case c[] = {
		{ ": t if 1 else 2 then . ; 0 t -1 t 5 t", "2 1 1 " },
		{ ": t if .\" yes\" then ; 0 t 1 t", "yes" },
		{ ": t 0 begin 1+ dup 5 = until . ; t", "5 " },
		{ ": t 0 begin dup 3 < while dup . 1+ repeat drop ; t", "0 1 2 " },
		{ ": t 3 0 do i . loop ; t", "0 1 2 " },
		{ ": t 0 0 do i . loop ; t .\" none\"", "none" },
		{ ": t 2 5 do i . loop ; t .\" none\"", "none" },
		{ "3 -2 do i . loop", "-2 -1 0 1 2 " },
		{ ": t 3 0 do 2 0 do j 10 * i + . loop loop ; t", "0 1 10 11 20 21 " },
		{ ": t 10 0 do i 3 = if i . exit then loop .\" never\" ; t 99 .", "3 99 " },
		{ ": t 5 0 do i 2 mod 0= if i . else .\" o \" then loop ; t", "0 o 2 o 4 " },
		{ ": t begin dup 0 > while dup 2 mod if .\" odd \" else .\" even \" then 1- "
		  "repeat drop ; 3 t",
		  "odd even odd " },
		{ "1 if\n.\" across\"\nthen", "across" },
		{ "0 begin 1+ dup\n10 = until .", "10 " },
		{ ": t exit .\" no\" ; t .\" yes\"", "yes" },
	};
	RUN_CASES(c);
}

TEST(lang, definitions_recursion_immediate)
{
	static const struct lang_case c[] = {
		{ ": sq dup * ; : cube dup sq * ; 3 cube .", "27 " },
		{ ": fact dup 1 > if dup 1- recurse * then ; 10 fact .", "3628800 " },
		{ ": fib dup 2 < if exit then dup 1- recurse swap 2 - recurse + ; 20 fib .",
		  "6765 " },
		/* A redefinition hides the old word; users of the old keep it. */
		{ ": a 1 ; : b a ; : a 2 ; a . b .", "2 1 " },
		/* A word is not visible inside its own definition. */
		{ ": c 7 ; : c c 1+ ; c .", "8 " },
		{ ": now .\" compiling \" ; immediate : t now .\" run\" ; cr t",
		  "compiling \nrun" },
		{ "variable n : inc 1 n +! ; inc inc inc n @ .", "3 " },
		{ ": MixedCase 5 ; MixedCase .", "5 " },
	};
	RUN_CASES(c);
}

/* Error lines: exactly where, exactly what. */
TEST(lang, errors_have_positions)
{
	static const struct lang_case c[] = {
		/* First, while the last word is a built-in one. */
		{ "immediate", "t.fs:1:1: error: immediate: the last word is not a definition\n" },
		{ "1 2 foo", "t.fs:1:5: error: unknown word: foo\n" },
		{ "1\n  12x", "t.fs:2:3: error: bad number: 12x\n" },
		{ "0x", "t.fs:1:1: error: bad number: 0x\n" },
		{ "99999999999999999999", "t.fs:1:1: error: bad number: 99999999999999999999\n" },
		{ "0x1ffffffffffffffff", "t.fs:1:1: error: bad number: 0x1ffffffffffffffff\n" },
		{ "9223372036854775808", "t.fs:1:1: error: bad number: 9223372036854775808\n" },
		{ "1 2 + drop drop", "t.fs:1:12: error: stack underflow\n" },
		{ ": d2 drop drop ;\n\n 5 d2", "t.fs:1:11: error: stack underflow\n" },
		{ "  +", "t.fs:1:3: error: stack underflow\n" },
		{ ": inf begin 0 until ; inf", "t.fs:1:15: error: step budget exhausted (an endless loop?)\n" },
		{ ": deep recurse ; deep", "t.fs:1:1: error: return stack overflow (recursion too deep)\n" },
		{ ": many 300 0 do i loop ; many", "t.fs:1:17: error: stack overflow\n" },
		{ "1 0 /", "t.fs:1:5: error: division by zero\n" },
		{ "1 0 mod", "t.fs:1:5: error: division by zero\n" },
		{ "0 @", "t.fs:1:3: error: address out of range\n" },
		{ "5 -1 !", "t.fs:1:6: error: address out of range\n" },
		{ "0 c@", "t.fs:1:3: error: address out of range\n" },
		{ "1 2 c!", "t.fs:1:5: error: address out of range\n" },
		{ "0 5 type", "t.fs:1:5: error: address out of range\n" },
		{ "s\" ab\" drop 100000 dump", "t.fs:1:20: error: length out of range\n" },
		{ ": half 1 2", "t.fs:1:1: error: unterminated definition of half\n" },
		{ ".\" no end", "t.fs:1:1: error: unterminated string\n" },
		{ "s\" no end\n\"", "t.fs:1:1: error: unterminated string\n" },
		{ "1 ( no end", "t.fs:1:3: error: unterminated comment\n" },
		{ ": t 1 if 2 ;", "t.fs:1:7: error: if without then\n" },
		{ ": t 1 if 2 else 3 ;", "t.fs:1:12: error: else without then\n" },
		{ ": t begin 1 ;", "t.fs:1:5: error: begin without until or repeat\n" },
		{ ": t begin 1 while ;", "t.fs:1:13: error: while without repeat\n" },
		{ ": t 3 0 do ;", "t.fs:1:9: error: do without loop\n" },
		{ "1 if 2", "t.fs:1:3: error: if without then\n" },
		{ ": t then ;", "t.fs:1:5: error: then without if\n" },
		{ ": t else ;", "t.fs:1:5: error: else without if\n" },
		{ ": t until ;", "t.fs:1:5: error: until without begin\n" },
		{ ": t while ;", "t.fs:1:5: error: while without begin\n" },
		{ ": t begin repeat ;", "t.fs:1:11: error: repeat without while\n" },
		{ ": t loop ;", "t.fs:1:5: error: loop without do\n" },
		{ ": t begin 0 0 do until loop ;", "t.fs:1:18: error: until without begin\n" },
		{ ": t 1 if begin then ;", "t.fs:1:16: error: then without if\n" },
		{ ": t i ;", "t.fs:1:5: error: i outside a do loop\n" },
		{ ": t 2 0 do j loop ;", "t.fs:1:12: error: j outside two do loops\n" },
		{ ";", "t.fs:1:1: error: ; outside a definition\n" },
		{ ": a : b ;", "t.fs:1:5: error: nested definition\n" },
		{ ":", "t.fs:1:1: error: missing name\n" },
		{ ": aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ;",
		  "t.fs:1:3: error: name too long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" },
		{ "variable", "t.fs:1:1: error: missing name\n" },
		{ "constant k", "t.fs:1:1: error: stack underflow\n" },
		{ ": t variable v ;", "t.fs:1:5: error: variable inside a definition\n" },
		{ ": t 1 constant v ;", "t.fs:1:7: error: constant inside a definition\n" },
		{ "1 if variable v then", "t.fs:1:6: error: definition inside a control structure\n" },
		{ "recurse", "t.fs:1:1: error: recurse outside a definition\n" },
		{ ": t immediate ;", "t.fs:1:5: error: immediate inside a definition\n" },
		{ "i", "t.fs:1:1: error: i outside a do loop\n" },
		{ "1 2 \x01\x7f", "t.fs:1:5: error: unknown word: \\x01\\x7f\n" },
	};
	RUN_CASES(c);
}

TEST(lang, eval_returns_an_error_and_takes_the_definition_back)
{
	struct box *b = box_new();
	int64_t st[4];

	ASSERT(b);
	EXPECT_EQ(lang_eval(b->vm, "a.fs", ": ok 1 ;", 8), LM_OK);
	EXPECT_EQ(lang_eval(b->vm, "a.fs", ": half 1 2", 10), LM_ERR_FORMAT);
	EXPECT_STREQ(b->vm->error, "a.fs:1:1: error: unterminated definition of half");
	EXPECT_STREQ(run(b, "half"), "t.fs:1:1: error: unknown word: half\n");
	EXPECT_STREQ(run(b, ": bad 1 foo ; ok ."), "t.fs:1:9: error: unknown word: foo\n");
	EXPECT_STREQ(run(b, "bad"), "t.fs:1:1: error: unknown word: bad\n");
	/* A home without doors says why a door-shaped word is unknown. */
	b->vm->door_hint = "no doors here";
	EXPECT_STREQ(run(b, "1 2 kvstore.put"), "t.fs:1:5: error: unknown word: kvstore.put (no doors here)\n");
	EXPECT_STREQ(run(b, "nodot"), "t.fs:1:1: error: unknown word: nodot\n");
	EXPECT_STREQ(run(b, "1.5x"), "t.fs:1:1: error: bad number: 1.5x\n");
	b->vm->door_hint = NULL;
	/* Lines before the error ran; the one with it did not. */
	EXPECT_STREQ(run(b, ".\" one\"\n.\" two\" nope"), "onet.fs:2:9: error: unknown word: nope\n");
	EXPECT_STREQ(run(b, "1 2 3"), "");
	EXPECT_EQ(lang_stack(b->vm, st, 4), 3);
	EXPECT_EQ(st[0], 1);
	EXPECT_EQ(st[2], 3);
	box_free(b);
}

TEST(lang, runtime_errors_name_the_script_of_the_definition)
{
	struct box *b = box_new();
	const char *lib = ": pop2 drop\n  drop ;\n";

	ASSERT(b);
	EXPECT_EQ(lang_eval(b->vm, "lib.fs", lib, strlen(lib)), LM_OK);
	EXPECT_STREQ(run(b, "1 pop2"), "lib.fs:2:3: error: stack underflow\n");
	EXPECT_STREQ(run(b, "1 2 pop2 .s"), "<0> ");
	box_free(b);
}

TEST(lang, bytes_nul_and_control_are_words_like_others)
{
	struct box *b = box_new();
	static const char script[] = "1 \0 2";

	ASSERT(b);
	b->out.len = 0;
	EXPECT_EQ(lang_eval(b->vm, "t.fs", script, sizeof script - 1), LM_ERR_FORMAT);
	EXPECT_STREQ(b->vm->error, "t.fs:1:3: error: unknown word: \\x00");
	EXPECT_STREQ(run(b, "\t1\r\n\t2 + ."), "3 ");
	box_free(b);
}

TEST(lang, limits_are_errors)
{
	struct box *b = box_new();
	char script[4096];
	size_t n = 0;

	ASSERT(b);
	/* The data stack: 256 cells. */
	for (int i = 0; i < 257; i++)
		n += (size_t)snprintf(script + n, sizeof script - n, "%d ", i % 10);
	EXPECT_STREQ(run(b, script), "t.fs:1:513: error: stack overflow\n");
	/* Control structures: 32 open at once. */
	n = (size_t)snprintf(script, sizeof script, ": t ");
	for (int i = 0; i < 33; i++)
		n += (size_t)snprintf(script + n, sizeof script - n, "1 if ");
	EXPECT_STREQ(run(b, script), "t.fs:1:167: error: control structures nested too deep\n");
	/* Top-level loops end on the budget too. */
	EXPECT_STREQ(run(b, "begin 0 until"),
		     "t.fs:1:9: error: step budget exhausted (an endless loop?)\n");
	/* The data space: 32 KiB of strings. */
	memset(script, 'x', sizeof script);
	memcpy(script, "s\" ", 3);
	script[sizeof script - 2] = '"';
	script[sizeof script - 1] = '\0';
	for (int i = 0; i < 8; i++)
		EXPECT_STREQ(run(b, script), "");
	EXPECT_STREQ(run(b, script), "t.fs:1:1: error: data space full\n");
	EXPECT_STREQ(run(b, "variable v"), "");
	box_free(b);
}

TEST(lang, dictionary_full_is_an_error)
{
	struct box *b = box_new();
	char name[32];
	int i;

	ASSERT(b);
	for (i = 0; i < LANG_WORDS_MAX; i++) {
		snprintf(name, sizeof name, "1 constant c%d", i);
		if (strcmp(run(b, name), "") != 0)
			break;
	}
	EXPECT(i < LANG_WORDS_MAX);
	EXPECT(strstr(b->out.buf, "error: dictionary full\n") != NULL);
	EXPECT_STREQ(run(b, "c0 c1 + ."), "2 ");
	box_free(b);
}

/* ": big 1 drop 1 drop ... ;", about `bytes` long. */
static char *big_definition(size_t bytes)
{
	char *script = malloc(bytes + 16);
	size_t n = (size_t)snprintf(script, bytes, ": big ");

	while (n < bytes - 8)
		n += (size_t)snprintf(script + n, bytes - n, "1 drop ");
	snprintf(script + n, 16, ";");
	return script;
}

TEST(lang, code_space_full_is_an_error_and_taken_back)
{
	struct box *b = box_new_sized(16 * 1024);
	char *script = big_definition(4096);
	size_t used;

	ASSERT(b);
	used = b->vm->code.pos;
	EXPECT(strstr(run(b, script), "error: code space full\n") != NULL);
	EXPECT_EQ(b->vm->code.pos, used);
	EXPECT_STREQ(run(b, ": small 5 ; small ."), "5 ");
	box_free(b);
	free(script);
	/* The table of positions fills up before a large code region. */
	b = box_new_sized(4 * 1024 * 1024);
	script = big_definition(8 * LANG_POS_MAX);
	ASSERT(b);
	EXPECT(strstr(run(b, script), "error: code space full (too many words)\n") != NULL);
	EXPECT_EQ(b->vm->npos, 0);
	EXPECT_STREQ(run(b, ": small 5 ; small ."), "5 ");
	box_free(b);
	free(script);
}

/* A platform's word set, faked: ports backed by an array. */
static uint8_t fake_ports[16];

static int fake_outb(struct lang_regs *regs)
{
	int64_t *sp = (int64_t *)(uintptr_t)regs->sp;

	if ((uint64_t)sp[0] >= sizeof fake_ports)
		return LANG_ERR_HELPER;
	fake_ports[sp[0]] = (uint8_t)sp[1];
	regs->sp += 16;
	return 0;
}

static int fake_inb(struct lang_regs *regs)
{
	int64_t *sp = (int64_t *)(uintptr_t)regs->sp;

	if ((uint64_t)sp[0] >= sizeof fake_ports)
		return LANG_ERR_HELPER;
	sp[0] = fake_ports[sp[0]];
	return 0;
}

TEST(lang, platform_words_are_added_by_the_home)
{
	static const struct lang_word_def defs[] = {
		{ "outb", fake_outb, 2, 0 },
		{ "inb", fake_inb, 1, 1 },
	};
	static const char *const errors[] = { "no such port" };
	static const struct lang_word_def bad[] = { { "x", fake_inb, 9, 0 } };
	static const struct lang_word_def unnamed[] = { { "", fake_inb, 1, 1 } };
	struct box *b = box_new();

	ASSERT(b);
	EXPECT_STREQ(run(b, "0x41 3 outb"), "t.fs:1:8: error: unknown word: outb\n");
	ASSERT_EQ(lang_add_words(b->vm, defs, 2, errors, 1), LM_OK);
	EXPECT_EQ(lang_add_words(b->vm, bad, 1, NULL, 0), LM_ERR_INVAL);
	EXPECT_EQ(lang_add_words(b->vm, unnamed, 1, NULL, 0), LM_ERR_INVAL);
	EXPECT_STREQ(run(b, "0x41 3 outb 3 inb ."), "65 ");
	EXPECT_EQ(fake_ports[3], 0x41);
	EXPECT_STREQ(run(b, "1 99 outb"), "t.fs:1:6: error: no such port\n");
	EXPECT_STREQ(run(b, "outb"), "t.fs:1:1: error: stack underflow\n");
	box_free(b);
}

TEST(lang, memory_range_is_the_homes_choice)
{
	struct box *b = box_new();
	static uint8_t buf[64] = { 7, 8 };
	char script[64];

	ASSERT(b);
	snprintf(script, sizeof script, "%llu c@ .", (unsigned long long)(uintptr_t)buf);
	EXPECT(strstr(run(b, script), "error: address out of range") != NULL);
	lang_set_memory_range(b->vm, (uintptr_t)buf, (uintptr_t)buf + sizeof buf);
	EXPECT_STREQ(run(b, script), "7 ");
	snprintf(script, sizeof script, "%llu @ .", (unsigned long long)(uintptr_t)buf + 57);
	EXPECT(strstr(run(b, script), "error: address out of range") != NULL);
	snprintf(script, sizeof script, "%llu @ 0xffff and .",
		 (unsigned long long)(uintptr_t)buf + 56);
	EXPECT_STREQ(run(b, script), "0 ");
	EXPECT(strstr(run(b, "variable v v @"), "error: address out of range") != NULL);
	lang_set_memory_range(b->vm, 1, 0);
	snprintf(script, sizeof script, "%llu c@ .", (unsigned long long)(uintptr_t)buf);
	EXPECT(strstr(run(b, script), "error: address out of range") != NULL);
	box_free(b);
}

TEST(lang, a_definition_may_span_pieces)
{
	struct box *b = box_new();
	struct lang_vm *vm;

	ASSERT(b);
	vm = b->vm;
	EXPECT_EQ(lang_eval_lines(vm, "tty", 1, ": sq", 4, true), LM_ERR_BUSY);
	EXPECT_EQ(lang_eval_lines(vm, "tty", 2, "dup *", 5, true), LM_ERR_BUSY);
	EXPECT_EQ(lang_eval_lines(vm, "tty", 3, ";", 1, true), LM_OK);
	EXPECT_EQ(lang_eval_lines(vm, "tty", 4, "5 0 do i", 8, true), LM_ERR_BUSY);
	EXPECT_STREQ(b->out.buf, "");
	EXPECT_EQ(lang_eval_lines(vm, "tty", 5, "sq . loop", 9, true), LM_OK);
	EXPECT_STREQ(b->out.buf, "0 1 4 9 16 ");
	b->out.len = 0;
	EXPECT_EQ(lang_eval_lines(vm, "tty", 6, "1 if", 4, true), LM_ERR_BUSY);
	EXPECT_EQ(lang_eval_lines(vm, "tty", 7, "nope", 4, true), LM_ERR_FORMAT);
	EXPECT_STREQ(vm->error, "tty:7:1: error: unknown word: nope");
	EXPECT_EQ(lang_eval_lines(vm, "tty", 8, "2 sq .", 6, true), LM_OK);
	EXPECT_EQ(lang_eval_lines(vm, "tty", 9, ": x", 3, false), LM_ERR_FORMAT);
	EXPECT_STREQ(vm->error, "tty:9:1: error: unterminated definition of x");
	box_free(b);
}

/* ( a b data -- a*data+b ) */
static int h_scaled(struct lang_regs *regs)
{
	int64_t *c = (int64_t *)(uintptr_t)regs->sp;

	c[2] = c[2] * c[0] + c[1];
	regs->sp += 16;
	return 0;
}

static int h_lm_error(struct lang_regs *regs)
{
	return LANG_ERR_LM + LM_ERR_NOENT;
}

TEST(lang, data_words_share_one_helper_and_lm_errors_are_named)
{
	struct box *b = box_new();
	static const struct lang_word_def lm = { "missing", h_lm_error, 0, 0 };

	ASSERT(b);
	ASSERT_EQ(lang_add_data_word(b->vm, "by10", h_scaled, 2, 1, 10), LM_OK);
	ASSERT_EQ(lang_add_data_word(b->vm, "by3", h_scaled, 2, 1, 3), LM_OK);
	EXPECT_EQ(lang_add_data_word(b->vm, "wide", h_scaled, 8, 1, 3), LM_ERR_INVAL);
	ASSERT_EQ(lang_add_words(b->vm, &lm, 1, NULL, 0), LM_OK);
	EXPECT_STREQ(run(b, "4 2 by10 . 4 2 by3 . : f by10 ; 1 1 f ."), "42 14 11 ");
	/* Its stack effect is the word's own: the data cell is not counted. */
	EXPECT_STREQ(run(b, "1 by10"), "t.fs:1:3: error: stack underflow\n");
	EXPECT_STREQ(run(b, "1 2 missing"), "t.fs:1:5: error: not found\n");
	box_free(b);
}

/* A guard that runs the code, then says it faulted at the word before the
 * last one compiled (as the kernel's does after a CPU fault). */
static int fake_guard(struct lang_vm *vm, void *ctx, const void *code)
{
	int err = vm->enter(&vm->regs, code);

	if (err)
		return err;
	strcpy(vm->fault, "page fault: pretend");
	vm->regs.fault_pc = (uint64_t)(uintptr_t)vm->code.base + vm->pos[vm->npos - 2].code_off + 1;
	return LANG_ERR_FAULT;
}

TEST(lang, a_guard_s_fault_is_an_error_at_the_word)
{
	struct box *b = box_new();

	ASSERT(b);
	lang_set_guard(b->vm, fake_guard, NULL);
	EXPECT_STREQ(run(b, "1 2 +  drop"), "t.fs:1:5: error: page fault: pretend\n");
	EXPECT_EQ(lang_stack(b->vm, NULL, 0), 0);
	EXPECT_STREQ(run(b, "1 dup"), "t.fs:1:1: error: page fault: pretend\n");
	lang_set_guard(b->vm, NULL, NULL);
	EXPECT_STREQ(run(b, "1 2 + ."), "3 ");
	box_free(b);
}
