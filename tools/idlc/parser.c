/*
 * idlc parser: recursive descent over the lexer's tokens, one token of
 * lookahead (p->cur), building the tree of idlc.h in the arena.
 *
 * The grammar is in docs/idl.md. The parser checks what is local to the
 * syntax: ranges (they must fit their type and not be empty), duplicate
 * fields, variants and routines, empty records and sums, the nesting
 * depth (IDL_MAX_DEPTH), which bounds the recursion of every later stage,
 * and the number of items in a block (IDL_MAX_ITEMS), which bounds the
 * quadratic checks for duplicates and overlaps.
 * Names are resolved by check.c.
 *
 * Documentation: an item (definition, field, variant, door, routine) takes
 * the lead_doc of its first token. When an item ends, it claims the
 * comment that follows its last token on the same line (p->trail_slot); an
 * enclosing item ending on the same token claims it instead, so a trailing
 * comment documents the outermost item ending on that line. The claim is
 * settled when the next token is consumed.
 */
#include <stdio.h>
#include <string.h>

#include "tools/idlc/idlc.h"

struct parser {
	struct idl_ctx *ctx;
	struct idl_lexer lx;
	struct idl_token cur;
	char **trail_slot;
	struct idl_file *file;
};

/* Give the comment after the last token to the item that claimed it,
 * after its own leading documentation. */
static int settle_trail(struct parser *p)
{
	char **slot = p->trail_slot;
	const char *trail = p->cur.trail_doc;

	p->trail_slot = NULL;
	if (!slot || !trail)
		return 0;
	if (!*slot) {
		*slot = p->cur.trail_doc;
		return 0;
	}
	size_t a = strlen(*slot), b = strlen(trail);
	char *joined = arena_alloc(&p->ctx->arena, a + b + 2);

	if (!joined)
		return idl_nomem(p->ctx);
	memcpy(joined, *slot, a);
	joined[a] = '\n';
	memcpy(joined + a + 1, trail, b + 1);
	*slot = joined;
	return 0;
}

static int advance(struct parser *p)
{
	if (settle_trail(p))
		return -1;
	return lex_next(&p->lx, &p->cur);
}

static void item_end(struct parser *p, char **doc)
{
	p->trail_slot = doc;
}

static bool at_kw(const struct parser *p, enum idl_kw kw)
{
	return p->cur.kind == TOK_KEYWORD && p->cur.kw == kw;
}

static int unexpected(struct parser *p, const char *wanted)
{
	char buf[80];

	return idl_error(p->ctx, p->cur.pos, "expected %s, found %s", wanted,
			 tok_describe(&p->cur, buf, sizeof buf));
}

static int expect(struct parser *p, enum idl_tok kind, const char *wanted)
{
	if (p->cur.kind != kind)
		return unexpected(p, wanted);
	return advance(p);
}

/* A block's '}' is missing: end of file or a 'door' (which cannot be in
 * a block) came first. Reported where the block opened. */
static int unterminated(struct parser *p, struct idl_pos brace, const char *block)
{
	char buf[80];

	return idl_error(p->ctx, brace, "unterminated %s: no '}' before %s", block,
			 tok_describe(&p->cur, buf, sizeof buf));
}

/* A name for an item of kind what ("field", "type"...). */
static int expect_name(struct parser *p, const char *what, const char **name,
		       struct idl_pos *pos)
{
	if (p->cur.kind == TOK_KEYWORD)
		return idl_error(p->ctx, p->cur.pos,
				 "'%s' is a reserved word and cannot name a %s",
				 kw_name(p->cur.kw), what);
	if (p->cur.kind != TOK_NAME) {
		char wanted[48];

		snprintf(wanted, sizeof wanted, "a %s name", what);
		return unexpected(p, wanted);
	}
	*name = arena_strndup(&p->ctx->arena, p->cur.text, p->cur.len);
	*pos = p->cur.pos;
	if (!*name)
		return idl_nomem(p->ctx);
	return advance(p);
}

static void value_str(idl_value v, char *buf, size_t size)
{
	char digits[48];
	int n = 0;
	bool neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;

	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u && n < 46);
	if (neg)
		digits[n++] = '-';
	for (int i = 0; i < n && (size_t)i + 1 < size; i++)
		buf[i] = digits[n - 1 - i];
	buf[(size_t)n < size ? (size_t)n : size - 1] = 0;
}

/* value = ["-"] number | "address_max" */
static int parse_value(struct parser *p, idl_value *v, struct idl_pos *pos)
{
	bool neg = false;

	*pos = p->cur.pos;
	if (at_kw(p, KW_ADDRESS_MAX)) {
		*v = (idl_value)UINT64_MAX;
		return advance(p);
	}
	if (p->cur.kind == TOK_MINUS) {
		neg = true;
		if (advance(p))
			return -1;
	}
	if (p->cur.kind != TOK_NUMBER)
		return unexpected(p, neg ? "a number after '-'" : "a number or 'address_max'");
	*v = neg ? -(idl_value)p->cur.value : (idl_value)p->cur.value;
	return advance(p);
}

/* Does v fit t? shown is the value as written (for "until", v is one less). */
static int check_fits(struct parser *p, struct idl_type *t, idl_value v, idl_value shown,
		      struct idl_pos pos)
{
	idl_value min, max;
	char vs[48], mins[48], maxs[48];

	idl_int_limits(t->itype, &min, &max);
	if (v >= min && v <= max)
		return 0;
	value_str(shown, vs, sizeof vs);
	if (v < 0 && !idl_is_signed(t->itype))
		return idl_error(p->ctx, pos, "negative value %s for unsigned type %s", vs,
				 kw_name((enum idl_kw)t->itype));
	value_str(min, mins, sizeof mins);
	value_str(max, maxs, sizeof maxs);
	return idl_error(p->ctx, pos, "value %s does not fit %s (%s to %s)", vs,
			 kw_name((enum idl_kw)t->itype), mins, maxs);
}

/* range = value [("to" | "until") value]; "until" excludes its bound, so
 * "u16 0 until 0x1_0000" is the whole of u16. */
static int parse_range(struct parser *p, struct idl_type *t)
{
	struct idl_pos lo_pos, hi_pos;
	bool until = false;
	char los[48], his[48];

	t->ranged = true;
	t->range_pos = p->cur.pos;
	if (parse_value(p, &t->lo, &lo_pos) || check_fits(p, t, t->lo, t->lo, lo_pos))
		return -1;
	t->hi = t->lo;
	if (!at_kw(p, KW_TO) && !at_kw(p, KW_UNTIL))
		return 0;
	until = at_kw(p, KW_UNTIL);
	if (advance(p) || parse_value(p, &t->hi, &hi_pos))
		return -1;
	value_str(t->lo, los, sizeof los);
	value_str(t->hi, his, sizeof his);
	if (t->lo > t->hi || (until && t->lo == t->hi))
		return idl_error(p->ctx, t->range_pos, "empty range: %s %s %s", los,
				 until ? "until" : "to", his);
	if (check_fits(p, t, t->hi - until, t->hi, hi_pos))
		return -1;
	t->hi -= until;
	return 0;
}

static struct idl_type *new_type(struct parser *p, enum idl_kind kind)
{
	struct idl_type *t = arena_alloc(&p->ctx->arena, sizeof *t);

	if (!t) {
		idl_nomem(p->ctx);
		return NULL;
	}
	t->kind = kind;
	t->pos = p->cur.pos;
	return t;
}

static struct idl_type *parse_type(struct parser *p, int depth);

/* fields = "{" field { [","] field } [","] "}", field = name ":" type */
static int parse_fields(struct parser *p, struct idl_type *t, const char *what, int depth)
{
	struct idl_pos brace = p->cur.pos;
	struct idl_field **tail = &t->fields;
	const char *block = t->kind == IDL_SUM ? "sum" : "record";

	if (expect(p, TOK_LBRACE, "'{'"))
		return -1;
	while (p->cur.kind != TOK_RBRACE) {
		struct idl_field *f = arena_alloc(&p->ctx->arena, sizeof *f);

		if (!f)
			return idl_nomem(p->ctx);
		if (p->cur.kind == TOK_EOF || at_kw(p, KW_DOOR))
			return unterminated(p, brace, block);
		f->doc = p->cur.lead_doc;
		if (expect_name(p, what, &f->name, &f->pos))
			return -1;
		for (struct idl_field *g = t->fields; g; g = g->next)
			if (!strcmp(g->name, f->name))
				return idl_error(p->ctx, f->pos, "duplicate %s '%s' (first at %d:%d)",
						 what, f->name, g->pos.line, g->pos.col);
		if (expect(p, TOK_COLON, "':' after the name"))
			return -1;
		f->type = parse_type(p, depth + 1);
		if (!f->type)
			return -1;
		item_end(p, &f->doc);
		if (p->cur.kind == TOK_COMMA && advance(p))
			return -1;
		*tail = f;
		tail = &f->next;
		if (++t->nfields > IDL_MAX_ITEMS)
			return idl_error(p->ctx, f->pos, "more than %d %ss", IDL_MAX_ITEMS, what);
	}
	if (!t->nfields)
		return idl_error(p->ctx, brace, "%s has no %ss", block, what);
	return advance(p);
}

static int parse_int(struct parser *p, struct idl_type *t)
{
	t->itype = (enum idl_int)p->cur.kw;
	idl_int_limits(t->itype, &t->lo, &t->hi);
	if (advance(p))
		return -1;
	if (p->cur.kind == TOK_NUMBER || p->cur.kind == TOK_MINUS || at_kw(p, KW_ADDRESS_MAX))
		return parse_range(p, t);
	return 0;
}

/* The pointer kind after 'pointer' or 'bytes' (of). */
static int parse_ptr_kind(struct parser *p, struct idl_type *t, const char *of)
{
	char wanted[64];

	if (at_kw(p, KW_CONSTANT))
		t->ptr = PTR_CONSTANT;
	else if (at_kw(p, KW_SHARED))
		t->ptr = PTR_SHARED;
	else if (at_kw(p, KW_UNIQUE))
		t->ptr = PTR_UNIQUE;
	else {
		snprintf(wanted, sizeof wanted, "'constant', 'shared' or 'unique' after '%s'", of);
		return unexpected(p, wanted);
	}
	return advance(p);
}

/* bytes = "bytes" ("constant" | "shared" | "unique") [range]: a byte
 * buffer, its length in the range (of u64). 'bytes' is a name that means
 * this only where a type is expected (boot_archive's routine 'bytes'
 * predates it); no type may be called so. */
static int parse_bytes(struct parser *p, struct idl_type *t)
{
	t->kind = IDL_BYTES;
	t->itype = INT_U64;
	idl_int_limits(INT_U64, &t->lo, &t->hi);
	if (advance(p) || parse_ptr_kind(p, t, "bytes"))
		return -1;
	if (p->cur.kind == TOK_NUMBER || p->cur.kind == TOK_MINUS || at_kw(p, KW_ADDRESS_MAX))
		return parse_range(p, t);
	return 0;
}

static bool at_bytes(const struct parser *p)
{
	return p->cur.kind == TOK_NAME && p->cur.len == 5 && !memcmp(p->cur.text, "bytes", 5);
}

static int parse_pointer(struct parser *p, struct idl_type *t, int depth)
{
	if (advance(p) || parse_ptr_kind(p, t, "pointer"))
		return -1;
	t->target = parse_type(p, depth + 1);
	return t->target ? 0 : -1;
}

/* In -> Out, for routine types and door routines. */
static int parse_signature(struct parser *p, struct idl_type **in, struct idl_type **out,
			   int depth)
{
	*in = parse_type(p, depth + 1);
	if (!*in || expect(p, TOK_ARROW, "'->' after the input type"))
		return -1;
	*out = parse_type(p, depth + 1);
	return *out ? 0 : -1;
}

static int parse_type_body(struct parser *p, struct idl_type *t, int depth)
{
	if (at_bytes(p))
		return parse_bytes(p, t);
	if (p->cur.kind == TOK_NAME) {
		t->kind = IDL_NAMED;
		t->name = arena_strndup(&p->ctx->arena, p->cur.text, p->cur.len);
		return t->name ? advance(p) : idl_nomem(p->ctx);
	}
	if (p->cur.kind != TOK_KEYWORD)
		return unexpected(p, "a type");
	if (p->cur.kw <= KW_UPTR) {
		t->kind = IDL_INT;
		return parse_int(p, t);
	}
	switch (p->cur.kw) {
	case KW_NULL:
		t->kind = IDL_NULL;
		return advance(p);
	case KW_POINTER:
		t->kind = IDL_POINTER;
		return parse_pointer(p, t, depth);
	case KW_RECORD:
		t->kind = IDL_RECORD;
		return advance(p) || parse_fields(p, t, "field", depth);
	case KW_SUM:
		t->kind = IDL_SUM;
		return advance(p) || parse_fields(p, t, "variant", depth);
	case KW_ROUTINE:
		t->kind = IDL_ROUTINE;
		return advance(p) || parse_signature(p, &t->in, &t->out, depth);
	default:
		return unexpected(p, "a type");
	}
}

static struct idl_type *parse_type(struct parser *p, int depth)
{
	struct idl_type *t;

	if (depth > IDL_MAX_DEPTH) {
		idl_error(p->ctx, p->cur.pos, "types nested more than %d deep", IDL_MAX_DEPTH);
		return NULL;
	}
	t = new_type(p, IDL_NULL);
	if (!t || parse_type_body(p, t, depth))
		return NULL;
	return t;
}

/* routine = name "=" type "->" type */
static int parse_routine(struct parser *p, struct idl_door *d, struct idl_routine ***tail)
{
	struct idl_routine *r = arena_alloc(&p->ctx->arena, sizeof *r);

	if (!r)
		return idl_nomem(p->ctx);
	r->doc = p->cur.lead_doc;
	if (expect_name(p, "routine", &r->name, &r->pos))
		return -1;
	for (struct idl_routine *o = d->routines; o; o = o->next)
		if (!strcmp(o->name, r->name))
			return idl_error(p->ctx, r->pos, "duplicate routine '%s' (first at %d:%d)",
					 r->name, o->pos.line, o->pos.col);
	if (expect(p, TOK_EQ, "'=' after the routine name") ||
	    parse_signature(p, &r->in, &r->out, 0))
		return -1;
	item_end(p, &r->doc);
	**tail = r;
	*tail = &r->next;
	if (++d->nroutines > IDL_MAX_ITEMS)
		return idl_error(p->ctx, r->pos, "more than %d routines", IDL_MAX_ITEMS);
	return 0;
}

/* door = "door" name "{" { routine [","] } "}" */
static int parse_door(struct parser *p, struct idl_door ***tail)
{
	struct idl_door *d = arena_alloc(&p->ctx->arena, sizeof *d);
	struct idl_routine **rtail;
	struct idl_pos brace;

	if (!d)
		return idl_nomem(p->ctx);
	d->doc = p->cur.lead_doc;
	if (advance(p) || expect_name(p, "door", &d->name, &d->pos))
		return -1;
	rtail = &d->routines;
	brace = p->cur.pos;
	if (expect(p, TOK_LBRACE, "'{' after the door name"))
		return -1;
	while (p->cur.kind != TOK_RBRACE) {
		if (p->cur.kind == TOK_EOF || at_kw(p, KW_DOOR))
			return unterminated(p, brace, "door");
		if (parse_routine(p, d, &rtail))
			return -1;
		if (p->cur.kind == TOK_COMMA && advance(p))
			return -1;
	}
	if (advance(p))
		return -1;
	item_end(p, &d->doc);
	**tail = d;
	*tail = &d->next;
	return 0;
}

/* definition = name "=" type */
static int parse_def(struct parser *p, struct idl_def ***tail)
{
	struct idl_def *d = arena_alloc(&p->ctx->arena, sizeof *d);

	if (!d)
		return idl_nomem(p->ctx);
	d->doc = p->cur.lead_doc;
	if (at_bytes(p))
		return idl_error(p->ctx, p->cur.pos,
				 "'bytes' is a reserved word and cannot name a type");
	if (expect_name(p, "type", &d->name, &d->pos) ||
	    expect(p, TOK_EQ, "'=' after the type name"))
		return -1;
	d->type = parse_type(p, 0);
	if (!d->type)
		return -1;
	item_end(p, &d->doc);
	**tail = d;
	*tail = &d->next;
	p->file->ndefs++;
	return 0;
}

static int parse_file(struct parser *p)
{
	struct idl_def **dtail = &p->file->defs;
	struct idl_door **otail = &p->file->doors;
	size_t doors = 0;

	if (lex_next(&p->lx, &p->cur))
		return -1;
	while (p->cur.kind != TOK_EOF) {
		int rc;

		if (at_kw(p, KW_DOOR) && ++doors > IDL_MAX_ITEMS)
			rc = idl_error(p->ctx, p->cur.pos, "more than %d doors", IDL_MAX_ITEMS);
		else if (at_kw(p, KW_DOOR))
			rc = parse_door(p, &otail);
		else if (p->cur.kind == TOK_NAME || p->cur.kind == TOK_KEYWORD)
			rc = parse_def(p, &dtail);
		else
			rc = unexpected(p, "a type definition or 'door'");
		if (rc)
			return -1;
	}
	if (settle_trail(p))
		return -1;
	p->file->doc = p->lx.file_doc;
	p->file->end = p->cur.pos;
	return 0;
}

int idl_parse(struct idl_ctx *ctx, const char *src, size_t len, struct idl_file *file)
{
	struct parser p = {.ctx = ctx, .file = file};
	int rc;

	memset(file, 0, sizeof *file);
	lex_init(&p.lx, ctx, src, len);
	rc = parse_file(&p);
	lex_free(&p.lx);
	return rc ? -1 : 0;
}
