/*
 * idlc C names: how IDL types are spelled in C, what the anonymous types
 * are called, and the registry of every global identifier the header
 * defines, so that a clash is an idlc error and not a C compiler error.
 *
 * Named type N of file P is P_N; an anonymous record or routine type gets
 * its parent's C name plus a suffix: _<field> for a field, _in/_out for a
 * routine's input and output, _<variant> for a sum's variant, _target for
 * a pointer's target; in door D,
 * routine r's are P_D_r_in and P_D_r_out. All strings live in the arena.
 */
#include <stdio.h>
#include <string.h>

#include "tools/idlc/gen.h"

struct gen_name {
	const char *name;
	const char *what;              /* for messages: "type 'thread'" */
	size_t hash;                   /* name_hash(name), kept for grow() */
	struct gen_name *next;
};

const char *gen_fmt(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = arena_alloc(&g->ctx->arena, (size_t)n + 1))) {
		g->nomem = true;
		return "";
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

const char *gen_upper(struct gen *g, const char *s)
{
	const char *u = gen_fmt(g, "%s", s);

	for (char *c = (char *)u; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	return u;
}

/* ---------------------------------------------------------------- anonymous types */

static void name_anon(struct gen *g, struct idl_type *t, const char *parent)
{
	switch (t->kind) {
	case IDL_POINTER:
		name_anon(g, t->target, gen_fmt(g, "%s_target", parent));
		return;
	case IDL_SUM:
		for (struct idl_field *f = t->fields; f; f = f->next)
			name_anon(g, f->type, gen_fmt(g, "%s_%s", parent, f->name));
		return;
	case IDL_RECORD:
	case IDL_ROUTINE:
		t->cname = parent;
		*g->anon_tail = t;
		g->anon_tail = &t->anon_next;
		if (t->kind == IDL_ROUTINE) {
			name_anon(g, t->in, gen_fmt(g, "%s_in", parent));
			name_anon(g, t->out, gen_fmt(g, "%s_out", parent));
			return;
		}
		for (struct idl_field *f = t->fields; f; f = f->next)
			name_anon(g, f->type, gen_fmt(g, "%s_%s", parent, f->name));
		return;
	default:
		return;
	}
}

void gen_name_anons(struct gen *g)
{
	g->anon_tail = &g->anon_head;
	for (struct idl_def *d = g->file->defs; d; d = d->next) {
		const char *cname = gen_fmt(g, "%s_%s", g->prefix, d->name);
		struct idl_type *t = d->type;

		if (t->kind != IDL_RECORD && t->kind != IDL_ROUTINE) {
			name_anon(g, t, cname);
			continue;
		}
		/* The body of a definition is not anonymous: named after it. */
		t->cname = cname;
		if (t->kind == IDL_ROUTINE) {
			name_anon(g, t->in, gen_fmt(g, "%s_in", cname));
			name_anon(g, t->out, gen_fmt(g, "%s_out", cname));
		} else {
			for (struct idl_field *f = t->fields; f; f = f->next)
				name_anon(g, f->type, gen_fmt(g, "%s_%s", cname, f->name));
		}
	}
	for (struct idl_door *o = g->file->doors; o; o = o->next)
		for (struct idl_routine *r = o->routines; r; r = r->next) {
			const char *base = gen_fmt(g, "%s_%s_%s", g->prefix, o->name, r->name);

			name_anon(g, r->in, gen_fmt(g, "%s_in", base));
			name_anon(g, r->out, gen_fmt(g, "%s_out", base));
		}
}

/* ---------------------------------------------------------------- registry */

/*
 * A chained hash table that doubles when it holds as many names as it has
 * buckets, so a lookup stays O(1) however many types the file defines.
 * With a fixed 1024 buckets the chains grew with the file and registering
 * was quadratic: 200,000 types took 20 s, nearly all of it in find();
 * with this table, under a second.
 * The old bucket arrays stay in the arena until the compilation ends: they
 * add up to less than the final one.
 */
static size_t name_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct gen_name *find(struct gen *g, const char *name)
{
	for (struct gen_name *n = g->names[name_hash(name) & (g->names_size - 1)]; n; n = n->next)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

static void put(struct gen_name **table, size_t size, struct gen_name *n)
{
	size_t h = n->hash & (size - 1);

	n->next = table[h];
	table[h] = n;
}

static int grow(struct gen *g)
{
	size_t size = g->names_size * 2;
	struct gen_name **table = arena_alloc(&g->ctx->arena, size * sizeof *table);

	if (!table)
		return idl_nomem(g->ctx);
	for (size_t i = 0; i < g->names_size; i++)
		for (struct gen_name *n = g->names[i], *next; n; n = next) {
			next = n->next;
			put(table, size, n);
		}
	g->names = table;
	g->names_size = size;
	return 0;
}

static int add(struct gen *g, struct idl_pos pos, const char *name, const char *what)
{
	struct gen_name *old = find(g, name), *n;

	if (old)
		return idl_error(g->ctx, pos, "C name '%s' of %s clashes with %s", name, what,
				 old->what);
	if (g->names_count == g->names_size && grow(g))
		return -1;
	n = arena_alloc(&g->ctx->arena, sizeof *n);
	if (!n)
		return idl_nomem(g->ctx);
	n->name = name;
	n->what = what;
	n->hash = name_hash(name);
	put(g->names, g->names_size, n);
	g->names_count++;
	return 0;
}

static int add_sum_names(struct gen *g, struct idl_pos pos, const char *cname,
			 const struct idl_type *sum, const char *what)
{
	for (struct idl_field *f = sum->fields; f; f = f->next) {
		const char *v = gen_fmt(g, "%s_%s", cname, f->name);
		const char *vw = gen_fmt(g, "variant '%s' of %s", f->name, what);

		if (add(g, f->pos, gen_upper(g, gen_fmt(g, "%s_MIN", v)), vw) ||
		    add(g, f->pos, gen_upper(g, gen_fmt(g, "%s_MAX", v)), vw) ||
		    add(g, f->pos, gen_fmt(g, "%s_is_%s", cname, f->name), vw))
			return -1;
	}
	return 0;
}

static int add_def(struct gen *g, const struct idl_def *d)
{
	const char *cname = gen_fmt(g, "%s_%s", g->prefix, d->name);
	const char *what = gen_fmt(g, "type '%s'", d->name);
	const struct idl_type *base = idl_base(d->type);

	if (add(g, d->pos, cname, what))
		return -1;
	if (base->kind == IDL_INT)
		return add(g, d->pos, gen_upper(g, gen_fmt(g, "%s_MIN", cname)), what) ||
		       add(g, d->pos, gen_upper(g, gen_fmt(g, "%s_MAX", cname)), what);
	if (base->kind == IDL_SUM)
		return add_sum_names(g, d->pos, cname, base, what);
	if (base->kind == IDL_BYTES)
		return add(g, d->pos, gen_upper(g, gen_fmt(g, "%s_LEN_MIN", cname)), what) ||
		       add(g, d->pos, gen_upper(g, gen_fmt(g, "%s_LEN_MAX", cname)), what);
	return 0;
}

static int add_door(struct gen *g, const struct idl_door *o)
{
	const char *what = gen_fmt(g, "door '%s'", o->name);
	const char *up = gen_upper(g, o->name);

	if (add(g, o->pos, gen_fmt(g, "%s_door", o->name), what) ||
	    add(g, o->pos, gen_fmt(g, "%s_ROUTINE_COUNT", up), what) ||
	    add(g, o->pos, gen_fmt(g, "%s_API_ID_INIT", up), what) ||
	    add(g, o->pos, gen_fmt(g, "%s_DOOR_HEADER", up), what) ||
	    add(g, o->pos, gen_fmt(g, "%s_api_id", o->name), what) ||
	    add(g, o->pos, gen_fmt(g, "%s_door_find", o->name), what))
		return -1;
	for (const struct idl_routine *r = o->routines; r; r = r->next) {
		const char *rw = gen_fmt(g, "routine '%s' of door '%s'", r->name, o->name);

		/* The direct wrapper, and an untrusted build's (gen.c, gen_gate). */
		if (add(g, r->pos, gen_fmt(g, "%s_%s", o->name, r->name), rw) ||
		    add(g, r->pos, gen_fmt(g, "%s_%s_untrusted", o->name, r->name), rw) ||
		    add(g, r->pos, gen_fmt(g, "%s_%s_gated", o->name, r->name), rw))
			return -1;
	}
	return 0;
}

/* Parameters are named after record fields: none may hide a global. */
static int check_params(struct gen *g, const struct idl_type *in)
{
	const struct idl_type *b = idl_base(in);
	struct gen_name *n;

	if (b->kind != IDL_RECORD)
		return 0;
	for (const struct idl_field *f = b->fields; f; f = f->next) {
		const char *len = gen_fmt(g, "%s_len", f->name);

		if ((n = find(g, f->name)))
			return idl_error(g->ctx, f->pos,
					 "field '%s' cannot be a parameter: it would hide the C name of %s",
					 f->name, n->what);
		if (idl_base(f->type)->kind == IDL_BYTES && (n = find(g, len)))
			return idl_error(g->ctx, f->pos,
					 "field '%s' cannot be a parameter: its length '%s' would hide "
					 "the C name of %s", f->name, len, n->what);
	}
	return 0;
}

int gen_register(struct gen *g)
{
	struct idl_pos start = {1, 1};

	/* Small, so that ordinary files and the fuzzer go through grow(). */
	g->names_size = 64;
	g->names_count = 0;
	g->names = arena_alloc(&g->ctx->arena, g->names_size * sizeof *g->names);
	if (!g->names)
		return idl_nomem(g->ctx);
	if (add(g, start, gen_fmt(g, "IDL_%s_H", gen_upper(g, g->prefix)), "the include guard"))
		return -1;
	for (const struct idl_def *d = g->file->defs; d; d = d->next)
		if (add_def(g, d))
			return -1;
	for (struct idl_type *t = g->anon_head; t; t = t->anon_next)
		if (add(g, t->pos, t->cname,
			gen_fmt(g, "the anonymous type at %d:%d", t->pos.line, t->pos.col)))
			return -1;
	for (const struct idl_door *o = g->file->doors; o; o = o->next)
		if (add_door(g, o))
			return -1;
	for (const struct idl_def *d = g->file->defs; d; d = d->next)
		if (d->type->kind == IDL_ROUTINE && check_params(g, d->type->in))
			return -1;
	for (struct idl_type *t = g->anon_head; t; t = t->anon_next)
		if (t->kind == IDL_ROUTINE && check_params(g, t->in))
			return -1;
	for (const struct idl_door *o = g->file->doors; o; o = o->next)
		for (const struct idl_routine *r = o->routines; r; r = r->next)
			if (check_params(g, r->in))
				return -1;
	return g->nomem ? idl_nomem(g->ctx) : 0;
}

/* ---------------------------------------------------------------- C types */

const char *gen_ctype(struct gen *g, const struct idl_type *t)
{
	static const char *const ints[] = {
		"uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t",
		"int32_t", "int64_t", "uintptr_t",
	};
	const char *inner;
	const struct idl_def *bd;

	switch (t->kind) {
	case IDL_INT:
		return ints[t->itype];
	case IDL_NULL:
		return "void";
	case IDL_SUM:
		return "uint64_t";
	case IDL_RECORD:
		return gen_fmt(g, "struct %s", t->cname);
	case IDL_ROUTINE:
		return gen_fmt(g, "%s *", t->cname);
	case IDL_BYTES:
		return t->ptr == PTR_CONSTANT ? "const uint8_t *" : "uint8_t *";
	case IDL_POINTER:
		inner = gen_ctype(g, t->target);
		if (t->ptr != PTR_CONSTANT)
			return gen_fmt(g, "%s *", inner);
		if (inner[0] && inner[strlen(inner) - 1] == '*')
			return gen_fmt(g, "%s const *", inner);
		return gen_fmt(g, "const %s *", inner);
	case IDL_NAMED:
		bd = idl_base_def(t);
		switch (bd->type->kind) {
		case IDL_RECORD:
			return gen_fmt(g, "struct %s_%s", g->prefix, bd->name);
		case IDL_ROUTINE:
			return gen_fmt(g, "%s_%s *", g->prefix, bd->name);
		case IDL_NULL:
			return "void";
		default:
			return gen_fmt(g, "%s_%s", g->prefix, t->def->name);
		}
	}
	return "void";
}

const char *gen_decl(struct gen *g, const char *ctype, const char *name)
{
	size_t len = strlen(ctype);

	if (len && ctype[len - 1] == '*')
		return gen_fmt(g, "%s%s", ctype, name);
	return gen_fmt(g, "%s %s", ctype, name);
}

const char *gen_params(struct gen *g, const struct idl_type *in, const char **args)
{
	const struct idl_type *b = idl_base(in);
	struct idl_buf params = {0}, names = {0};
	const char *p, *a;

	if (b->kind == IDL_NULL) {
		p = "void";
		a = "";
	} else if (b->kind != IDL_RECORD) {
		/* Named after its type when that is a safe C name. */
		a = "arg";
		if (in->kind == IDL_NAMED && !idl_is_c_reserved(in->name) && !find(g, in->name) &&
		    (b->kind != IDL_BYTES || !find(g, gen_fmt(g, "%s_len", in->name))))
			a = in->name;
		p = gen_decl(g, gen_ctype(g, in), a);
		if (b->kind == IDL_BYTES) {
			p = gen_fmt(g, "%s, uint64_t %s_len", p, a);
			a = gen_fmt(g, "%s, %s_len", a, a);
		}
	} else {
		for (const struct idl_field *f = b->fields; f; f = f->next) {
			bool bytes = idl_base(f->type)->kind == IDL_BYTES;

			buf_printf(&params, "%s%s%s", gen_decl(g, gen_ctype(g, f->type), f->name),
				   bytes ? gen_fmt(g, ", uint64_t %s_len", f->name) : "",
				   f->next ? ", " : "");
			buf_printf(&names, "%s%s%s", f->name,
				   bytes ? gen_fmt(g, ", %s_len", f->name) : "", f->next ? ", " : "");
		}
		if (params.failed || names.failed)
			g->nomem = true;
		p = gen_fmt(g, "%s", params.data ? params.data : "");
		a = gen_fmt(g, "%s", names.data ? names.data : "");
		buf_free(&params);
		buf_free(&names);
	}
	if (args)
		*args = a;
	return p;
}
