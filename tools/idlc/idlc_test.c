/*
 * idlc unit tests: the lexer and parser on small inputs, the checker's
 * rules, the canonical form (pinned byte for byte, as docs/idl.md gives it)
 * and what changes an API ID and what does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/test.h"
#include "tools/idlc/idlc.h"

/* Lex src into toks; the docs live in the arena of ctx, freed after each
 * call's checks by done(). */
static struct idl_ctx lex_ctx = {.path = "t.idl"};

static void done(void)
{
	arena_free(&lex_ctx.arena);
	lex_ctx.err[0] = 0;
}

static int lex_all(const char *src, struct idl_token *toks, int max, char *err)
{
	struct idl_lexer lx;
	int n = 0;

	done();
	lex_init(&lx, &lex_ctx, src, strlen(src));
	while (n < max) {
		if (lex_next(&lx, &toks[n])) {
			strcpy(err, lex_ctx.err);
			lex_free(&lx);
			return -1;
		}
		if (toks[n++].kind == TOK_EOF)
			break;
	}
	lex_free(&lx);
	return n;
}

TEST(idlc_lex, tokens_and_numbers)
{
	struct idl_token t[16];
	char err[IDL_ERR_MAX];
	int n = lex_all("a = u8 0x1_0 until 1_6 -> -5, {}:", t, 16, err);

	ASSERT_EQ(n, 14);
	EXPECT_EQ(t[0].kind, TOK_NAME);
	EXPECT_EQ(t[1].kind, TOK_EQ);
	EXPECT_EQ(t[2].kind, TOK_KEYWORD);
	EXPECT_EQ(t[2].kw, KW_U8);
	EXPECT_EQ(t[3].kind, TOK_NUMBER);
	EXPECT_EQ(t[3].value, 16);
	EXPECT_EQ(t[4].kw, KW_UNTIL);
	EXPECT_EQ(t[5].value, 16);
	EXPECT_EQ(t[6].kind, TOK_ARROW);
	EXPECT_EQ(t[7].kind, TOK_MINUS);
	EXPECT_EQ(t[8].value, 5);
	EXPECT_EQ(t[9].kind, TOK_COMMA);
	EXPECT_EQ(t[10].kind, TOK_LBRACE);
	EXPECT_EQ(t[11].kind, TOK_RBRACE);
	EXPECT_EQ(t[12].kind, TOK_COLON);
	EXPECT_EQ(t[13].kind, TOK_EOF);
	EXPECT_EQ(t[4].pos.line, 1);
	EXPECT_EQ(t[4].pos.col, 14);
	done();
}

TEST(idlc_lex, number_limits)
{
	struct idl_token t[4];
	char err[IDL_ERR_MAX];

	ASSERT_EQ(lex_all("0xffff_ffff_ffff_ffff 18446744073709551615", t, 4, err), 3);
	EXPECT_EQ(t[0].value, UINT64_MAX);
	EXPECT_EQ(t[1].value, UINT64_MAX);
	EXPECT_EQ(lex_all("\n  18446744073709551616", t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:2:3: error: number too large (more than 2^64-1)");
	EXPECT_EQ(lex_all("0x1_0000_0000_0000_0000", t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:1:1: error: number too large (more than 2^64-1)");
	EXPECT_EQ(lex_all("0x", t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:1:1: error: malformed number: no digits after '0x'");
	EXPECT_EQ(lex_all("12ab", t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:1:1: error: malformed number: unexpected 'a' after digits");
	done();
}

TEST(idlc_lex, bad_bytes)
{
	struct idl_token t[4];
	char err[IDL_ERR_MAX];
	char src[] = "a \x01";

	EXPECT_EQ(lex_all(src, t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:1:3: error: unexpected byte 0x01");
	EXPECT_EQ(lex_all("a;", t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:1:2: error: unexpected character ';'");
	EXPECT_EQ(lex_all("Abc", t, 4, err), -1);
	EXPECT_STREQ(err, "t.idl:1:1: error: invalid name 'Abc': names are lower case");
	done();
}

/* A source that is not NUL-terminated: the lexer must stop at len. */
TEST(idlc_lex, stops_at_length)
{
	struct idl_ctx ctx = {.path = "t.idl"};
	struct idl_lexer lx;
	struct idl_token t;
	char *src = malloc(3);

	ASSERT(src);
	memcpy(src, "a 1", 3);
	lex_init(&lx, &ctx, src, 3);
	EXPECT_EQ(lex_next(&lx, &t), 0);
	EXPECT_EQ(lex_next(&lx, &t), 0);
	EXPECT_EQ(t.kind, TOK_NUMBER);
	EXPECT_EQ(t.value, 1);
	EXPECT_EQ(lex_next(&lx, &t), 0);
	EXPECT_EQ(t.kind, TOK_EOF);
	lex_free(&lx);
	free(src);
	arena_free(&ctx.arena);
}

TEST(idlc_lex, comments_become_docs)
{
	struct idl_token t[8];
	char err[IDL_ERR_MAX];
	const char *src = "-- file\n\n-- lead one\n  -- lead two\na -- trail\nb";

	ASSERT_EQ(lex_all(src, t, 8, err), 3);
	EXPECT_STREQ(t[0].lead_doc, "lead one\nlead two");
	EXPECT_STREQ(t[1].trail_doc, "trail");
	EXPECT(t[1].lead_doc == NULL);
	done();
}

struct parsed {
	struct idl_ctx ctx;
	struct idl_file file;
	int rc;
};

static void parse(struct parsed *p, const char *src)
{
	memset(p, 0, sizeof *p);
	p->ctx.path = "t.idl";
	p->rc = idl_parse(&p->ctx, src, strlen(src), &p->file);
	if (!p->rc)
		p->rc = idl_check(&p->ctx, &p->file);
}

TEST(idlc_parse, record_and_ranges)
{
	struct parsed p;

	parse(&p, "r = record { a: u8 1 to 2, b: s16 -5 until 5\n c: u32 7 }\n"
		  "door d { x = r -> null }");
	ASSERT_EQ(p.rc, 0);
	ASSERT(p.file.defs);
	struct idl_type *t = p.file.defs->type;

	ASSERT_EQ(t->kind, IDL_RECORD);
	ASSERT_EQ(t->nfields, 3);
	EXPECT_STREQ(t->fields->name, "a");
	EXPECT_EQ(t->fields->type->lo, 1);
	EXPECT_EQ(t->fields->type->hi, 2);
	EXPECT(t->fields->next->type->lo == -5);
	EXPECT_EQ(t->fields->next->type->hi, 4);
	EXPECT_EQ(t->fields->next->next->type->lo, 7);
	EXPECT_EQ(t->fields->next->next->type->hi, 7);
	EXPECT_STREQ(p.file.doors->name, "d");
	EXPECT_EQ(p.file.doors->nroutines, 1);
	EXPECT(p.file.doors->routines->in->def == p.file.defs);
	arena_free(&p.ctx.arena);
}

TEST(idlc_parse, whole_type_without_range)
{
	struct parsed p;

	parse(&p, "a = s8\nb = u64\nc = uptr\ndoor d { x = a -> b }");
	ASSERT_EQ(p.rc, 0);
	EXPECT(p.file.defs->type->lo == -128);
	EXPECT_EQ(p.file.defs->type->hi, 127);
	EXPECT_EQ(p.file.defs->next->type->hi, UINT64_MAX);
	EXPECT_EQ(p.file.defs->next->next->type->itype, INT_UPTR);
	arena_free(&p.ctx.arena);
}

TEST(idlc_parse, docs_go_to_the_outermost_item_of_the_line)
{
	struct parsed p;

	parse(&p, "-- the file\n\n-- lead\nr = record {\n  a: u8  -- of a\n  b: u8\n} -- of r\n"
		  "door d {\n  x = record { p: u8 } -> null  -- of x\n}");
	ASSERT_EQ(p.rc, 0);
	EXPECT_STREQ(p.file.doc, "the file");
	EXPECT_STREQ(p.file.defs->doc, "lead\nof r");
	EXPECT_STREQ(p.file.defs->type->fields->doc, "of a");
	EXPECT(p.file.defs->type->fields->next->doc == NULL);
	EXPECT_STREQ(p.file.doors->routines->doc, "of x");
	EXPECT(p.file.doors->routines->in->fields->doc == NULL);
	arena_free(&p.ctx.arena);
}

static void expect_error(const char *src, const char *msg)
{
	struct parsed p;

	parse(&p, src);
	EXPECT_EQ(p.rc, -1);
	EXPECT_STREQ(p.ctx.err, msg);
	arena_free(&p.ctx.arena);
}

TEST(idlc_parse, errors)
{
	expect_error("a = u8 3 to 1\ndoor d { x = a -> a }", "t.idl:1:8: error: empty range: 3 to 1");
	expect_error("a = u8 -1\ndoor d { x = a -> a }",
		     "t.idl:1:8: error: negative value -1 for unsigned type u8");
	expect_error("a = s8 -129 to 0\ndoor d { x = a -> a }",
		     "t.idl:1:8: error: value -129 does not fit s8 (-128 to 127)");
	expect_error("a = u16 0 until 0x1_0001\ndoor d { x = a -> a }",
		     "t.idl:1:17: error: value 65537 does not fit u16 (0 to 65535)");
	expect_error("a = record {}\ndoor d { x = a -> a }", "t.idl:1:12: error: record has no fields");
	expect_error("a = sum { x: u8 }\ndoor d { x = a -> }",
		     "t.idl:2:19: error: expected a type, found '}'");
	expect_error("a = pointer u8", "t.idl:1:13: error: expected 'constant', 'shared' or "
		     "'unique' after 'pointer', found 'u8'");
	expect_error("door d { x = null -> null } = u8",
		     "t.idl:1:29: error: expected a type definition or 'door', found '='");
	expect_error("door sum { }", "t.idl:1:6: error: 'sum' is a reserved word and cannot name a door");
	expect_error("a = u8 - x", "t.idl:1:10: error: expected a number after '-', found name 'x'");
}

TEST(idlc_check, rules)
{
	expect_error("a = b\ndoor d { x = a -> a }", "t.idl:1:5: error: unknown type 'b'");
	expect_error("a = u8\n", "t.idl:1:1: error: missing door: the file defines no door");
	expect_error("a = record { n: a }\ndoor d { x = a -> a }",
		     "t.idl:1:1: error: type 'a' contains itself (a -> a); only a pointer to a "
		     "record can close a cycle");
	expect_error("a = pointer shared a\ndoor d { x = a -> a }",
		     "t.idl:1:1: error: type 'a' contains itself (a -> a); only a pointer to a "
		     "record can close a cycle");
	expect_error("s = sum { a: u8, b: u16 0x80 to 0x100 }\ndoor d { x = s -> s }",
		     "t.idl:1:18: error: sum variants 'a' and 'b' overlap at 0x80");
	expect_error("s = sum { a: null, b: u8 0 to 0 }\ndoor d { x = s -> s }",
		     "t.idl:1:20: error: sum variants 'a' and 'b' overlap at 0x0");
	expect_error("s = sum { a: null, b: routine null -> null }\ndoor d { x = s -> s }",
		     "t.idl:1:20: error: variant 'b' must be an unsigned integer, uptr, pointer or null");
	expect_error("door d { x = null -> null }\ndoor e { y = null -> null }\ndoor d { z = null -> null }",
		     "t.idl:3:6: error: duplicate door 'd' (first at 1:6)");
	expect_error("door d { header = null -> null }",
		     "t.idl:1:10: error: routine name 'header' is taken by the door's lm_door header");
	expect_error("r = record { size_t: u8 }\ndoor d { x = r -> null }",
		     "t.idl:1:14: error: field name 'size_t' is reserved in C");
}

/* The nesting limit and the limit on chains of names: errors, not stack
 * overflows. */
TEST(idlc_check, depth_limits)
{
	struct idl_buf src = {0};
	struct parsed p;

	buf_puts(&src, "a = ");
	for (int i = 0; i < 100000; i++)
		buf_puts(&src, "pointer shared ");
	buf_puts(&src, "u8\ndoor d { x = a -> a }");
	ASSERT(!src.failed);
	parse(&p, src.data);
	EXPECT_EQ(p.rc, -1);
	EXPECT_STREQ(p.ctx.err, "t.idl:1:500: error: types nested more than 32 deep");
	arena_free(&p.ctx.arena);
	buf_free(&src);

	for (int i = 0; i < 5000; i++)
		buf_printf(&src, "t%d = t%d\n", i, i + 1);
	buf_puts(&src, "t5000 = u8\ndoor d { x = t0 -> null }");
	parse(&p, src.data);
	EXPECT_EQ(p.rc, -1);
	EXPECT(strstr(p.ctx.err, "is an alias chain longer than 128") != NULL);
	arena_free(&p.ctx.arena);
	buf_free(&src);

	for (int i = 0; i < 5000; i++)
		buf_printf(&src, "t%d = record { x: t%d }\n", i, i + 1);
	buf_puts(&src, "t5000 = u8\ndoor d { x = t0 -> null }");
	parse(&p, src.data);
	EXPECT_EQ(p.rc, -1);
	EXPECT(strstr(p.ctx.err, "is nested more than 128 deep through named types") != NULL);
	arena_free(&p.ctx.arena);
	buf_free(&src);
}

/* Large inputs: long comment blocks cost linear time, blocks are capped. */
TEST(idlc_check, large_inputs)
{
	struct idl_buf src = {0};
	struct parsed p;

	for (int i = 0; i < 200000; i++)
		buf_puts(&src, "-- a long comment block, line after line\n");
	buf_puts(&src, "door d { x = null -> null }");
	parse(&p, src.data);
	EXPECT_EQ(p.rc, 0);
	EXPECT_EQ(strlen(p.file.doors->doc), 200000 * 38 - 1);
	arena_free(&p.ctx.arena);
	buf_free(&src);

	buf_puts(&src, "r = record {");
	for (int i = 0; i < 5000; i++)
		buf_printf(&src, " f%d: u8", i);
	buf_puts(&src, "}\ndoor d { x = r -> null }");
	parse(&p, src.data);
	EXPECT_EQ(p.rc, -1);
	EXPECT(strstr(p.ctx.err, ": error: more than 4096 fields") != NULL);
	arena_free(&p.ctx.arena);
	buf_free(&src);
}

static int compile(const char *src, enum idlc_mode mode, struct idl_buf *out, char *err)
{
	return idlc_compile(src, strlen(src), "t.idl", "t", mode, out, err, IDL_ERR_MAX);
}

static char *id_of(const char *src)
{
	struct idl_buf out = {0};
	char err[IDL_ERR_MAX];

	if (compile(src, IDLC_IDS, &out, err)) {
		test_diag("%s", err);
		return strdup("error");
	}
	return out.data;
}

static const char *const base_src =
	"x = record { a: u8 0 to 9, b: y }\ny = u16 16\n"
	"door d { f = x -> y\n g = null -> pointer shared x }\n";

TEST(idlc_id, canonical_form_is_pinned)
{
	struct parsed p;
	struct idl_buf out = {0};

	parse(&p, base_src);
	ASSERT_EQ(p.rc, 0);
	idl_canonical(&p.file, p.file.doors, &out);
	EXPECT_STREQ(out.data, "lemmings-idl 1\n"
			       "door d\n"
			       "routine f x -> y\n"
			       "routine g null -> pointer shared x\n"
			       "type x = record { a: u8 0x0 to 0x9, b: y }\n"
			       "type y = u16 0x10 to 0x10\n");
	buf_free(&out);
	arena_free(&p.ctx.arena);
}

TEST(idlc_id, unchanged_by_spelling)
{
	char *base = id_of(base_src);
	const char *same[] = {
		/* comments and whitespace */
		"-- doc\nx = record {\n  a: u8 0 to 9   -- a\n  b: y\n}\ny = u16 16\n"
		"door d {\n f = x -> y\n\n g = null -> pointer shared x -- g\n}\n",
		/* number spelling, until, one value */
		"x = record { a: u8 0x0 until 1_0, b: y }\ny = u16 0x10 to 0x1_0\n"
		"door d { f = x -> y\n g = null -> pointer shared x }\n",
		/* order of definitions, an unused type */
		"unused = u8\ny = u16 16\nx = record { a: u8 0 to 9 b: y }\n"
		"door d { f = x -> y, g = null -> pointer shared x }\n",
	};

	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		char *id = id_of(same[i]);

		EXPECT_STREQ(id, base);
		free(id);
	}
	free(base);
}

TEST(idlc_id, changed_by_meaning)
{
	char *base = id_of(base_src);
	const char *other[] = {
		"x = record { a: u8 0 to 8, b: y }\ny = u16 16\n"
		"door d { f = x -> y\n g = null -> pointer shared x }\n",
		"x = record { a: u8 0 to 9, c: y }\ny = u16 16\n"
		"door d { f = x -> y\n g = null -> pointer shared x }\n",
		"x = record { a: u8 0 to 9, b: y }\ny = u16 16\n"
		"door d { f = x -> y\n g = null -> pointer unique x }\n",
		"x = record { a: u8 0 to 9, b: y }\ny = u16 16\n"
		"door d { g = null -> pointer shared x\n f = x -> y }\n",
		"x = record { a: u8 0 to 9, b: y }\ny = u16 16\n"
		"door e { f = x -> y\n g = null -> pointer shared x }\n",
		"x = record { a: u8 0 to 9, b: z }\nz = u16 16\n"
		"door d { f = x -> z\n g = null -> pointer shared x }\n",
		"x = record { a: s8 0 to 9, b: y }\ny = u16 16\n"
		"door d { f = x -> y\n g = null -> pointer shared x }\n",
	};

	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		char *id = id_of(other[i]);

		EXPECT(strcmp(id, base) != 0);
		free(id);
	}
	free(base);
}

/* A byte buffer: its canonical form carries the kind and the length's
 * range, spelt as an integer's; the kind and the range are its meaning;
 * 'bytes' still names a field or routine (boot_archive's routine does). */
TEST(idlc_id, byte_buffers)
{
	const char *src = "t = bytes constant 0 until 4097\n"
			  "door d { put = record { data: t  bytes: u8 } -> null\n"
			  "  bytes = bytes unique -> null }\n";
	struct parsed p;
	struct idl_buf out = {0};
	char *base, *id;

	parse(&p, src);
	ASSERT_EQ(p.rc, 0);
	idl_canonical(&p.file, p.file.doors, &out);
	EXPECT_STREQ(out.data, "lemmings-idl 1\n"
			       "door d\n"
			       "routine put record { data: t, bytes: u8 0x0 to 0xff } -> null\n"
			       "routine bytes bytes unique 0x0 to 0xffffffffffffffff -> null\n"
			       "type t = bytes constant 0x0 to 0x1000\n");
	buf_free(&out);
	arena_free(&p.ctx.arena);
	base = id_of(src);
	id = id_of("t = bytes constant 0x0 to 0x1000 door d { put = record { data: t, bytes: u8 } "
		   "-> null, bytes = bytes unique 0 to address_max -> null }");
	EXPECT_STREQ(id, base);
	free(id);
	id = id_of("t = bytes shared 0 until 4097\n"
		   "door d { put = record { data: t  bytes: u8 } -> null\n"
		   "  bytes = bytes unique -> null }\n");
	EXPECT(strcmp(id, base) != 0); /* constant -> shared */
	free(id);
	id = id_of("t = bytes constant 0 to 4097\n"
		   "door d { put = record { data: t  bytes: u8 } -> null\n"
		   "  bytes = bytes unique -> null }\n");
	EXPECT(strcmp(id, base) != 0); /* one more byte */
	free(id);
	free(base);
}

TEST(idlc_gen, header_shape)
{
	struct idl_buf out = {0};
	char err[IDL_ERR_MAX];

	ASSERT_EQ(compile("p = u8 0 to 3\nr = record { a: p }\ns = sum { n: null, v: pointer shared r }\n"
			  "door d { f = r -> s }", IDLC_HEADER, &out, err), 0);
	EXPECT(strstr(out.data, "Generated by idlc from t.idl; do not edit.") != NULL);
	EXPECT(strstr(out.data, "#include <lemmings/door.h>\n") != NULL);
	EXPECT(strstr(out.data, "typedef uint8_t t_p;\n#define T_P_MIN 0x0\n#define T_P_MAX 0x3\n"));
	EXPECT(strstr(out.data, "struct t_r {\n\tt_p a;\n};\n"));
	EXPECT(strstr(out.data, "static inline int t_s_is_v(t_s x)\n{\n\treturn x >= T_S_V_MIN;\n}"));
	EXPECT(strstr(out.data, "struct d_door {\n\tstruct lm_door header;\n\tt_s (*f)(t_p a);\n};"));
	EXPECT(strstr(out.data, "#define D_ROUTINE_COUNT 1\n"));
	EXPECT(strstr(out.data, "static inline t_s d_f(const struct d_door *Door, t_p a)\n"));
	EXPECT(strstr(out.data, "lm_door_find(&d_api_id)"));
	buf_free(&out);
}

/* Every prefix of a valid file: compiles or fails with one message. */
TEST(idlc_gen, every_prefix)
{
	const char *src = "-- doc\nt = uptr 0x1000 to address_max\n"
			  "r = record { a: t, b: routine u8 -> null }\n"
			  "s = sum { none: null, err: u64 1 until 0x1000 }\n"
			  "door d {\n  f = r -> s  -- f\n  g = record { x: s8 -3 to 3 } -> r\n}\n";

	for (size_t n = 0; n <= strlen(src); n++) {
		struct idl_buf out = {0};
		char err[IDL_ERR_MAX];
		int rc = idlc_compile(src, n, "t.idl", "t", IDLC_HEADER, &out, err, sizeof err);

		if (rc)
			EXPECT(!strncmp(err, "t.idl:", 6) && strstr(err, ": error: "));
		else
			EXPECT(n >= strlen(src) - 2);
		buf_free(&out);
	}
}

/* The C name registry grows with the file: a clash is still found between
 * the first name registered and one of the last of thousands. */
TEST(idlc_gen, clash_found_among_many_names)
{
	struct idl_buf src = {0}, out = {0};
	char err[IDL_ERR_MAX];

	for (int i = 0; i < 5000; i++)
		buf_printf(&src, "x%d = u8\n", i);
	buf_puts(&src, "door t { x0 = x0 -> null }");
	ASSERT_EQ(compile(src.data, IDLC_HEADER, &out, err), -1);
	EXPECT_STREQ(err, "t.idl:5001:10: error: C name 't_x0' of routine 'x0' of door 't' "
		     "clashes with type 'x0'");
	buf_free(&src);
}
