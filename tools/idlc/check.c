/*
 * idlc checker: name resolution and the rules of the language that are not
 * syntax.
 *
 * Passes, each reporting the first error in source order: duplicate type
 * and door names; resolution of every named reference (and C-reserved
 * member names); alias chains (no cycle, at most IDL_MAX_CHAIN long); cycles
 * of what C must declare first (a cycle may only close through a pointer to
 * a record: C can express recursive types through struct tags only);
 * sum variants (types and overlaps) and null fields; at least one door.
 *
 * The walks recurse at most IDL_MAX_DEPTH levels into a type and
 * IDL_MAX_CHAIN definitions deep, so input cannot exhaust the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/idlc/idlc.h"

bool idl_is_signed(enum idl_int it)
{
	return it >= INT_S8 && it <= INT_S64;
}

void idl_int_limits(enum idl_int it, idl_value *min, idl_value *max)
{
	static const int bits[] = {8, 16, 32, 64, 8, 16, 32, 64, 64};
	int b = bits[it];

	if (idl_is_signed(it)) {
		*min = -((idl_value)1 << (b - 1));
		*max = ((idl_value)1 << (b - 1)) - 1;
	} else {
		*min = 0;
		*max = ((idl_value)1 << b) - 1;
	}
}

bool idl_valid_name(const char *name)
{
	if (!name[0] || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	for (int k = 0; k < KW_COUNT; k++)
		if (!strcmp(name, kw_name((enum idl_kw)k)))
			return false;
	return true;
}

/* Names that cannot be a struct member or parameter in GNU C: keywords,
 * reserved identifiers, the _t suffix of type names, and the lm_ prefix of
 * the SDK (a parameter would hide an SDK function). */
bool idl_is_c_reserved(const char *name)
{
	static const char *const c_words[] = {
		"asm", "auto", "break", "case", "char", "const", "continue", "default",
		"do", "double", "else", "enum", "extern", "float", "for", "goto", "if",
		"inline", "int", "long", "register", "restrict", "return", "short",
		"signed", "sizeof", "static", "struct", "switch", "typedef", "typeof",
		"union", "unsigned", "void", "volatile", "while", "bool", "true",
		"false", "alignas", "alignof", "static_assert", "thread_local",
	};
	size_t len = strlen(name);

	if (!strncmp(name, "__", 2) || !strncmp(name, "lm_", 3) || (len >= 2 && !strcmp(name + len - 2, "_t")))
		return true;
	for (size_t i = 0; i < sizeof c_words / sizeof c_words[0]; i++)
		if (!strcmp(name, c_words[i]))
			return true;
	return false;
}

struct idl_def *idl_base_def(const struct idl_type *t)
{
	struct idl_def *d;

	if (t->kind != IDL_NAMED || !t->def)
		return NULL;
	d = t->def;
	for (int i = 0; i <= IDL_MAX_CHAIN && d->type->kind == IDL_NAMED && d->type->def; i++)
		d = d->type->def;
	return d;
}

const struct idl_type *idl_base(const struct idl_type *t)
{
	struct idl_def *d = idl_base_def(t);

	return d ? d->type : t;
}

/* ---------------------------------------------------------------- names */

static size_t hash_name(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct idl_def *idl_lookup(const struct idl_file *file, const char *name)
{
	if (!file->table_size)
		return NULL;
	for (struct idl_def *d = file->table[hash_name(name) & (file->table_size - 1)]; d;
	     d = d->hash_next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

static int build_table(struct idl_ctx *ctx, struct idl_file *file)
{
	size_t size = 16;

	while (size < file->ndefs * 2)
		size *= 2;
	file->table = arena_alloc(&ctx->arena, size * sizeof *file->table);
	if (!file->table)
		return idl_nomem(ctx);
	file->table_size = size;
	for (struct idl_def *d = file->defs; d; d = d->next) {
		struct idl_def *old = idl_lookup(file, d->name);

		if (old)
			return idl_error(ctx, d->pos, "duplicate type '%s' (first at %d:%d)",
					 d->name, old->pos.line, old->pos.col);
		size_t h = hash_name(d->name) & (size - 1);

		d->hash_next = file->table[h];
		file->table[h] = d;
	}
	for (struct idl_door *a = file->doors; a; a = a->next)
		for (struct idl_door *b = file->doors; b != a; b = b->next)
			if (!strcmp(a->name, b->name))
				return idl_error(ctx, a->pos, "duplicate door '%s' (first at %d:%d)",
						 a->name, b->pos.line, b->pos.col);
	return 0;
}

static int resolve(struct idl_ctx *ctx, struct idl_file *file, struct idl_type *t)
{
	switch (t->kind) {
	case IDL_NAMED:
		t->def = idl_lookup(file, t->name);
		if (!t->def)
			return idl_error(ctx, t->pos, "unknown type '%s'", t->name);
		return 0;
	case IDL_POINTER:
		return resolve(ctx, file, t->target);
	case IDL_ROUTINE:
		return resolve(ctx, file, t->in) || resolve(ctx, file, t->out);
	case IDL_RECORD:
	case IDL_SUM:
		for (struct idl_field *f = t->fields; f; f = f->next) {
			if (t->kind == IDL_RECORD && idl_is_c_reserved(f->name))
				return idl_error(ctx, f->pos,
						 "field name '%s' is reserved in C", f->name);
			if (resolve(ctx, file, f->type))
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

static int resolve_all(struct idl_ctx *ctx, struct idl_file *file)
{
	for (struct idl_def *d = file->defs; d; d = d->next)
		if (resolve(ctx, file, d->type))
			return -1;
	for (struct idl_door *o = file->doors; o; o = o->next) {
		for (struct idl_routine *r = o->routines; r; r = r->next) {
			if (idl_is_c_reserved(r->name))
				return idl_error(ctx, r->pos, "routine name '%s' is reserved in C",
						 r->name);
			if (!strcmp(r->name, "header"))
				return idl_error(ctx, r->pos,
						 "routine name 'header' is taken by the door's lm_door header");
			if (resolve(ctx, file, r->in) || resolve(ctx, file, r->out))
				return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- cycles */

/* Alias chains (a = b, b = c...): state 1 on the current chain, 2 done. */
static int check_aliases(struct idl_ctx *ctx, struct idl_file *file)
{
	for (struct idl_def *d = file->defs; d; d = d->next) {
		struct idl_def *e = d;

		while (e->state == 0 && e->type->kind == IDL_NAMED) {
			e->state = 1;
			e = e->type->def;
		}
		if (e->state == 1)
			return idl_error(ctx, e->pos, "type '%s' is an alias of itself", e->name);
		int chain = e->state == 2 ? e->chain : 1;

		e->state = 2;
		e->chain = chain;
		/* Walk again from d to number the chain from its end. */
		int len = 0;

		for (struct idl_def *f = d; f != e; f = f->type->def)
			len++;
		for (struct idl_def *f = d; f != e; f = f->type->def, len--) {
			f->state = 2;
			f->chain = chain + len;
			if (f->chain > IDL_MAX_CHAIN)
				return idl_error(ctx, f->pos,
						 "type '%s' is an alias chain longer than %d",
						 f->name, IDL_MAX_CHAIN);
		}
	}
	for (struct idl_def *d = file->defs; d; d = d->next)
		d->state = 0;
	return 0;
}

struct cycle_walk {
	struct idl_deps deps;
	struct idl_ctx *ctx;
	struct idl_def *stack[IDL_MAX_CHAIN + 1];
	int depth;
};

static int cycle_error(struct cycle_walk *w, struct idl_def *d)
{
	char path[256];
	size_t n = 0;
	int i = w->depth - 1;

	while (i > 0 && w->stack[i] != d)
		i--;
	path[0] = 0;
	for (; i < w->depth && n < sizeof path - 48; i++)
		n += (size_t)snprintf(path + n, sizeof path - n, "%s -> ", w->stack[i]->name);
	snprintf(path + n, sizeof path - n, "%s", d->name);
	return idl_error(w->ctx, d->pos,
			 "type '%s' contains itself (%s); only a pointer to a record can close a cycle",
			 d->name, path);
}

static int cycle_def(struct idl_deps *deps, struct idl_def *d)
{
	struct cycle_walk *w = (struct cycle_walk *)deps;

	if (d->state == 2)
		return 0;
	if (d->state == 1)
		return cycle_error(w, d);
	if (w->depth >= IDL_MAX_CHAIN)
		return idl_error(w->ctx, d->pos,
				 "type '%s' is nested more than %d deep through named types",
				 d->name, IDL_MAX_CHAIN);
	d->state = 1;
	w->stack[w->depth++] = d;
	if (idl_deps_body(deps, d->type))
		return -1;
	w->depth--;
	d->state = 2;
	return 0;
}

static int cycle_anon(struct idl_deps *deps, struct idl_type *t)
{
	return idl_deps_body(deps, t);
}

static int check_cycles(struct idl_ctx *ctx, struct idl_file *file)
{
	struct cycle_walk *w = calloc(1, sizeof *w);
	int rc = 0;

	if (!w)
		return idl_nomem(ctx);
	w->deps.def = cycle_def;
	w->deps.anon = cycle_anon;
	w->ctx = ctx;
	for (struct idl_def *d = file->defs; d && !rc; d = d->next)
		rc = cycle_def(&w->deps, d);
	free(w);
	for (struct idl_def *d = file->defs; d; d = d->next)
		d->state = 0;
	return rc;
}

int idl_deps_type(struct idl_deps *w, struct idl_type *t, bool by_value)
{
	struct idl_def *d, *bd;

	switch (t->kind) {
	case IDL_POINTER:
		return idl_deps_type(w, t->target, false);
	case IDL_RECORD:
		return by_value ? w->anon(w, t) : 0;
	case IDL_ROUTINE:
		return w->anon(w, t);
	case IDL_NAMED:
		d = t->def;
		bd = idl_base_def(t);
		switch (bd->type->kind) {
		case IDL_RECORD:
			return by_value ? w->def(w, bd) : 0;
		case IDL_ROUTINE:
			return w->def(w, bd);
		case IDL_NULL:
			return 0;
		default:
			return w->def(w, d);
		}
	default:
		return 0;
	}
}

int idl_deps_body(struct idl_deps *w, struct idl_type *body)
{
	const struct idl_type *in;

	switch (body->kind) {
	case IDL_RECORD:
		for (struct idl_field *f = body->fields; f; f = f->next)
			if (idl_deps_type(w, f->type, true))
				return -1;
		return 0;
	case IDL_ROUTINE:
		in = idl_base(body->in);
		if (in->kind == IDL_RECORD) {
			for (struct idl_field *f = in->fields; f; f = f->next)
				if (idl_deps_type(w, f->type, false))
					return -1;
		} else if (idl_deps_type(w, body->in, false)) {
			return -1;
		}
		return idl_deps_type(w, body->out, false);
	case IDL_POINTER:
		return idl_deps_type(w, body, false);
	case IDL_NAMED:
		switch (idl_base(body)->kind) {
		case IDL_RECORD:
		case IDL_NULL:
			return 0;
		case IDL_ROUTINE:
			return w->def(w, idl_base_def(body));
		default:
			return idl_deps_type(w, body, false);
		}
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- values */

static void put_hex(char *buf, size_t size, idl_value v)
{
	struct idl_buf b = {0};

	idl_put_value(&b, v);
	snprintf(buf, size, "%s", b.data ? b.data : "?");
	buf_free(&b);
}

/* The values a sum variant takes, or -1 if its type cannot be a variant. */
static int variant_range(const struct idl_type *t, idl_value *lo, idl_value *hi)
{
	const struct idl_type *b = idl_base(t);

	switch (b->kind) {
	case IDL_INT:
		if (idl_is_signed(b->itype))
			return -1;
		*lo = b->lo;
		*hi = b->hi;
		return 0;
	case IDL_POINTER:
		*lo = 0x1000;
		*hi = (idl_value)UINT64_MAX;
		return 0;
	case IDL_NULL:
		*lo = *hi = 0;
		return 0;
	default:
		return -1;
	}
}

static int check_sum(struct idl_ctx *ctx, const struct idl_type *t)
{
	for (struct idl_field *f = t->fields; f; f = f->next) {
		idl_value lo, hi, lo2 = 0, hi2 = 0;
		char at[48];

		if (variant_range(f->type, &lo, &hi))
			return idl_error(ctx, f->pos,
					 "variant '%s' must be an unsigned integer, uptr, pointer or null",
					 f->name);
		for (struct idl_field *g = t->fields; g != f; g = g->next) {
			variant_range(g->type, &lo2, &hi2);
			if (lo <= hi2 && lo2 <= hi) {
				put_hex(at, sizeof at, lo > lo2 ? lo : lo2);
				return idl_error(ctx, f->pos,
						 "sum variants '%s' and '%s' overlap at %s",
						 g->name, f->name, at);
			}
		}
	}
	return 0;
}

/* A byte buffer is a pointer and a length: a parameter or a record's two
 * members, never a result (nothing would own its bytes). */
static int check_result(struct idl_ctx *ctx, const struct idl_type *out)
{
	if (idl_base(out)->kind == IDL_BYTES)
		return idl_error(ctx, out->pos, "a byte buffer cannot be a routine's result");
	return 0;
}

/* A byte buffer field f of record t has a length member f_len: no other
 * field may take that name. */
static int check_bytes_field(struct idl_ctx *ctx, const struct idl_type *t,
			     const struct idl_field *f)
{
	size_t n = strlen(f->name);

	if (idl_base(f->type)->kind != IDL_BYTES)
		return 0;
	for (const struct idl_field *g = t->fields; g; g = g->next)
		if (!strncmp(g->name, f->name, n) && !strcmp(g->name + n, "_len"))
			return idl_error(ctx, g->pos,
					 "field '%s' clashes with the length of byte buffer '%s'",
					 g->name, f->name);
	return 0;
}

static int check_values(struct idl_ctx *ctx, const struct idl_type *t)
{
	switch (t->kind) {
	case IDL_POINTER:
		if (idl_base(t->target)->kind == IDL_BYTES)
			return idl_error(ctx, t->target->pos,
					 "a pointer cannot point at a byte buffer (bytes is one already)");
		return check_values(ctx, t->target);
	case IDL_ROUTINE:
		return check_values(ctx, t->in) || check_values(ctx, t->out) ||
		       check_result(ctx, t->out);
	case IDL_SUM:
		return check_sum(ctx, t);
	case IDL_RECORD:
		for (struct idl_field *f = t->fields; f; f = f->next) {
			if (idl_base(f->type)->kind == IDL_NULL)
				return idl_error(ctx, f->pos,
						 "field '%s' has type null, which holds nothing",
						 f->name);
			if (check_values(ctx, f->type) || check_bytes_field(ctx, t, f))
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

int idl_check(struct idl_ctx *ctx, struct idl_file *file)
{
	struct idl_pos start = {1, 1};

	if (build_table(ctx, file) || resolve_all(ctx, file) || check_aliases(ctx, file) ||
	    check_cycles(ctx, file))
		return -1;
	for (struct idl_def *d = file->defs; d; d = d->next)
		if (check_values(ctx, d->type))
			return -1;
	for (struct idl_door *o = file->doors; o; o = o->next)
		for (struct idl_routine *r = o->routines; r; r = r->next)
			if (check_values(ctx, r->in) || check_values(ctx, r->out) ||
			    check_result(ctx, r->out))
				return -1;
	if (!file->doors)
		return idl_error(ctx, start, "missing door: the file defines no door");
	return 0;
}
