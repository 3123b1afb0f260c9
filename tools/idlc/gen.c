/*
 * idlc C generator: writes the header for one checked file into a buffer.
 *
 * Layout: banner, guard, includes; a forward declaration of every struct
 * (so pointers to records need nothing else) and the typedefs of aliases of
 * records; then each definition and anonymous type, each after what C needs
 * declared before it (idl_deps_*, the same edges the checker proved
 * acyclic); then one block per door. State per unit: 0 not written, 1
 * being written, 2 written (def->state, type->gen_state).
 *
 * Comments from the IDL are copied into C comments; a backslash breaks up
 * what could end or nest the comment or form a trigraph ("*\/", "/\*",
 * "?\?"), and bytes that are not printable become '?'.
 */
#include <string.h>

#include "tools/idlc/gen.h"

static void put_comment_text(struct idl_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '*' && i + 1 < len && s[i + 1] == '/')
			buf_puts(b, "*\\");
		else if (c == '/' && i + 1 < len && s[i + 1] == '*')
			buf_puts(b, "/\\");
		else if (c == '?' && i + 1 < len && s[i + 1] == '?')
			buf_puts(b, "?\\");
		else if ((c < ' ' && c != '\t') || c == 0x7f)
			buf_puts(b, "?");
		else
			buf_add(b, (const char *)&s[i], 1);
	}
}

static void put_doc(struct gen *g, const char *doc, const char *indent)
{
	const char *nl;

	if (!doc)
		return;
	if (!strchr(doc, '\n')) {
		buf_printf(g->out, "%s/* ", indent);
		put_comment_text(g->out, doc, strlen(doc));
		buf_puts(g->out, " */\n");
		return;
	}
	buf_printf(g->out, "%s/*\n", indent);
	for (;;) {
		nl = strchr(doc, '\n');
		size_t len = nl ? (size_t)(nl - doc) : strlen(doc);

		buf_printf(g->out, "%s *%s", indent, len ? " " : "");
		put_comment_text(g->out, doc, len);
		buf_puts(g->out, "\n");
		if (!nl)
			break;
		doc = nl + 1;
	}
	buf_printf(g->out, "%s */\n", indent);
}

/* A C integer constant for v: int when it fits, else long long for signed
 * types and unsigned (long long) for unsigned ones. */
static const char *c_value(struct gen *g, idl_value v, bool is_signed)
{
	unsigned long long mag = (unsigned long long)(v < 0 ? -v : v);

	if (v == -((idl_value)1 << 63))
		return "(-0x7fffffffffffffffll - 1)";
	if (v < 0)
		return gen_fmt(g, mag <= 0x7fffffff ? "(-0x%llx)" : "(-0x%llxll)", mag);
	if (mag <= 0x7fffffff)
		return gen_fmt(g, "0x%llx", mag);
	if (is_signed)
		return gen_fmt(g, "0x%llxll", mag);
	return gen_fmt(g, mag <= 0xffffffff ? "0x%llxu" : "0x%llxull", mag);
}

static void gen_record(struct gen *g, const char *cname, const struct idl_type *t)
{
	buf_printf(g->out, "struct %s {\n", cname);
	for (const struct idl_field *f = t->fields; f; f = f->next) {
		put_doc(g, f->doc, "\t");
		buf_printf(g->out, "\t%s;\n", gen_decl(g, gen_ctype(g, f->type), f->name));
		if (idl_base(f->type)->kind == IDL_BYTES)
			buf_printf(g->out, "\tuint64_t %s_len;\n", f->name);
	}
	buf_puts(g->out, "};\n");
}

static void gen_routine(struct gen *g, const char *cname, const struct idl_type *t)
{
	buf_printf(g->out, "typedef %s(%s);\n", gen_decl(g, gen_ctype(g, t->out), cname),
		   gen_params(g, t->in, NULL));
}

static void gen_int(struct gen *g, const char *cname, const char *ctype,
		    const struct idl_type *base)
{
	const char *up = gen_upper(g, cname);

	buf_printf(g->out, "typedef %s %s;\n", ctype, cname);
	buf_printf(g->out, "#define %s_MIN %s\n", up,
		   c_value(g, base->lo, idl_is_signed(base->itype)));
	buf_printf(g->out, "#define %s_MAX %s\n", up,
		   c_value(g, base->hi, idl_is_signed(base->itype)));
}

static void variant_range(const struct idl_type *t, idl_value *lo, idl_value *hi)
{
	const struct idl_type *b = idl_base(t);

	*lo = b->kind == IDL_INT ? b->lo : b->kind == IDL_POINTER ? 0x1000 : 0;
	*hi = b->kind == IDL_INT ? b->hi : b->kind == IDL_POINTER ? (idl_value)UINT64_MAX : 0;
}

static void gen_sum(struct gen *g, const char *cname, const struct idl_type *sum)
{
	buf_printf(g->out, "typedef uint64_t %s;\n", cname);
	for (const struct idl_field *f = sum->fields; f; f = f->next) {
		const char *up = gen_upper(g, gen_fmt(g, "%s_%s", cname, f->name));
		idl_value lo, hi;

		variant_range(f->type, &lo, &hi);
		put_doc(g, f->doc, "");
		buf_printf(g->out, "#define %s_MIN %s\n#define %s_MAX %s\n", up,
			   c_value(g, lo, false), up, c_value(g, hi, false));
		buf_printf(g->out, "static inline int %s_is_%s(%s x)\n{\n", cname, f->name, cname);
		if (lo == 0 && hi == (idl_value)UINT64_MAX)
			buf_puts(g->out, "\t(void)x;\n\treturn 1;\n}\n");
		else if (lo == 0)
			buf_printf(g->out, "\treturn x <= %s_MAX;\n}\n", up);
		else if (hi == (idl_value)UINT64_MAX)
			buf_printf(g->out, "\treturn x >= %s_MIN;\n}\n", up);
		else
			buf_printf(g->out, "\treturn x >= %s_MIN && x <= %s_MAX;\n}\n", up, up);
	}
}

static void gen_def_body(struct gen *g, const struct idl_def *d)
{
	const char *cname = gen_fmt(g, "%s_%s", g->prefix, d->name);
	const struct idl_type *t = d->type, *base = idl_base(t);

	switch (t->kind) {
	case IDL_RECORD:
		gen_record(g, cname, t);
		return;
	case IDL_ROUTINE:
		gen_routine(g, cname, t);
		return;
	case IDL_NAMED:
		if (base->kind == IDL_ROUTINE) {
			buf_printf(g->out, "typedef %s_%s %s;\n", g->prefix, idl_base_def(t)->name,
				   cname);
			return;
		}
		break;
	default:
		break;
	}
	if (base->kind == IDL_BYTES) {
		const char *up = gen_upper(g, cname);

		buf_printf(g->out, "typedef %s;\n", gen_decl(g, gen_ctype(g, base), cname));
		buf_printf(g->out, "#define %s_LEN_MIN %s\n#define %s_LEN_MAX %s\n", up,
			   c_value(g, base->lo, false), up, c_value(g, base->hi, false));
	} else if (base->kind == IDL_INT)
		gen_int(g, cname, gen_ctype(g, t), base);
	else if (base->kind == IDL_SUM)
		gen_sum(g, cname, base);
	else
		buf_printf(g->out, "typedef %s;\n", gen_decl(g, gen_ctype(g, t), cname));
}

static int emit_def(struct idl_deps *w, struct idl_def *d)
{
	struct gen *g = (struct gen *)w;

	if (d->state)
		return 0;
	d->state = 1;
	if (idl_deps_body(w, d->type))
		return -1;
	d->state = 2;
	/* Aliases of records are typedefs up front, with the declarations. */
	if (d->type->kind == IDL_NAMED && idl_base(d->type)->kind == IDL_RECORD)
		return 0;
	buf_puts(g->out, "\n");
	put_doc(g, d->doc, "");
	gen_def_body(g, d);
	return 0;
}

static int emit_anon(struct idl_deps *w, struct idl_type *t)
{
	struct gen *g = (struct gen *)w;

	if (t->gen_state)
		return 0;
	t->gen_state = 1;
	if (idl_deps_body(w, t))
		return -1;
	t->gen_state = 2;
	buf_puts(g->out, "\n");
	if (t->kind == IDL_RECORD)
		gen_record(g, t->cname, t);
	else
		gen_routine(g, t->cname, t);
	return 0;
}

static void gen_declarations(struct gen *g)
{
	bool any = false;

	for (const struct idl_def *d = g->file->defs; d; d = d->next)
		if (d->type->kind == IDL_RECORD) {
			buf_printf(g->out, "%sstruct %s_%s;\n", any ? "" : "\n", g->prefix, d->name);
			any = true;
		}
	for (const struct idl_type *t = g->anon_head; t; t = t->anon_next)
		if (t->kind == IDL_RECORD) {
			buf_printf(g->out, "%sstruct %s;\n", any ? "" : "\n", t->cname);
			any = true;
		}
	for (const struct idl_def *d = g->file->defs; d; d = d->next)
		if (d->type->kind == IDL_NAMED && idl_base(d->type)->kind == IDL_RECORD) {
			buf_puts(g->out, "\n");
			put_doc(g, d->doc, "");
			buf_printf(g->out, "typedef struct %s_%s %s_%s;\n", g->prefix,
				   idl_base_def(d->type)->name, g->prefix, d->name);
		}
}

static void gen_wrapper(struct gen *g, const struct idl_door *o, const struct idl_routine *r)
{
	const char *args, *params = gen_params(g, r->in, &args);
	const char *out = gen_ctype(g, r->out);
	bool is_void = idl_base(r->out)->kind == IDL_NULL;

	buf_puts(g->out, "\n");
	put_doc(g, r->doc, "");
	buf_printf(g->out, "static inline %s(const struct %s_door *Door%s%s)\n{\n",
		   gen_decl(g, out, gen_fmt(g, "%s_%s", o->name, r->name)), o->name,
		   strcmp(params, "void") ? ", " : "", strcmp(params, "void") ? params : "");
	buf_printf(g->out, "\t%sDoor->%s(%s);\n}\n", is_void ? "" : "return ", r->name, args);
}

/* One parameter's or result's kind letter for callers by name (docs/idl.md,
 * section 4): integers by width and sign, p pointer, r routine, s sum, v
 * null, R a record (passed by value: not described further). */
static char desc_kind(const struct idl_type *t)
{
	static const char ints[] = { [INT_U8] = 'b', [INT_U16] = 'h', [INT_U32] = 'w',
				     [INT_U64] = 'q', [INT_S8] = 'B', [INT_S16] = 'H',
				     [INT_S32] = 'W', [INT_S64] = 'Q', [INT_UPTR] = 'q' };
	const struct idl_type *b = idl_base(t);

	switch (b->kind) {
	case IDL_INT: return ints[b->itype];
	case IDL_NULL: return 'v';
	case IDL_POINTER: return 'p';
	case IDL_ROUTINE: return 'r';
	case IDL_SUM: return 's';
	case IDL_BYTES: return 'p'; /* and its length, 'q': desc_kinds */
	default: return 'R';
	}
}

/* The kind letters of one parameter: a byte buffer is two. */
static const char *desc_kinds(struct gen *g, const struct idl_type *t)
{
	return idl_base(t)->kind == IDL_BYTES ? "pq" : gen_fmt(g, "%c", desc_kind(t));
}

static void gen_door_desc(struct gen *g, const struct idl_door *o, const char *up)
{
	buf_printf(g->out, "\n/* For callers by name (docs/idl.md, section 4): each routine's "
		   "parameters\n * and result as kind letters. */\n"
		   "static const struct lm_routine_desc %s_routine_descs[] "
		   "__attribute__((unused)) = {\n", o->name);
	for (const struct idl_routine *r = o->routines; r; r = r->next) {
		const struct idl_type *in = idl_base(r->in);

		buf_printf(g->out, "\t{ \"%s\", \"", r->name);
		if (in->kind == IDL_RECORD)
			for (const struct idl_field *f = in->fields; f; f = f->next)
				buf_puts(g->out, desc_kinds(g, f->type));
		else if (in->kind != IDL_NULL)
			buf_puts(g->out, desc_kinds(g, r->in));
		buf_printf(g->out, "\", '%c' },\n", desc_kind(r->out));
	}
	buf_printf(g->out, "};\nstatic const struct lm_door_desc %s_door_desc "
		   "__attribute__((unused)) = {\n\t%s_API_ID_INIT, \"%s\", %s_ROUTINE_COUNT, "
		   "%s_routine_descs\n};\n", o->name, up, o->name, up, o->name);
}

/* Plain data for a gate: integers, records of plain data, sums whose
 * variants are integers or null; nothing a callee could follow. */
static bool plain_data(const struct idl_type *t, int depth)
{
	const struct idl_type *b = idl_base(t);

	if (depth > 64)
		return false;
	switch (b->kind) {
	case IDL_INT:
		return true;
	case IDL_RECORD:
	case IDL_SUM:
		for (const struct idl_field *f = b->fields; f; f = f->next) {
			const struct idl_type *fb = idl_base(f->type);

			if (b->kind == IDL_SUM && fb->kind == IDL_NULL)
				continue;
			if (!plain_data(f->type, depth + 1))
				return false;
		}
		return true;
	default:
		return false;
	}
}

static unsigned long long bits64(idl_value v)
{
	return (unsigned long long)(uint64_t)(int64_t)v;
}

/* Why a gate cannot check and copy a parameter of type t, or NULL if it
 * can: an integer, or a pointer to plain data that is not a byte. */
static const char *gate_param_why(const struct idl_type *t)
{
	const struct idl_type *b = idl_base(t), *target;

	switch (b->kind) {
	case IDL_INT:
	case IDL_BYTES:
		return NULL;
	case IDL_ROUTINE:
		return "a routine";
	case IDL_RECORD:
		return "a record by value";
	case IDL_SUM:
		return "a sum";
	case IDL_POINTER:
		break;
	default:
		return "not a value";
	}
	/* A pointer to a byte is a string or a buffer whose length the IDL
	 * does not say (a byte buffer, `bytes`, does): not checkable. */
	target = idl_base(b->target);
	if (target->kind == IDL_NULL)
		return "a pointer to nothing in particular";
	if (target->kind == IDL_INT && (target->itype == INT_U8 || target->itype == INT_S8))
		return "a pointer to bytes (a string or buffer with no length: use bytes)";
	return plain_data(b->target, 0) ? NULL : "a pointer to data holding pointers or routines";
}

static bool gate_param_ok(const struct idl_type *t)
{
	return !gate_param_why(t);
}

/* One parameter's gate entry (struct lm_gate_param). */
static void gen_gate_param(struct gen *g, const struct idl_type *t)
{
	static const unsigned width[] = { [INT_U8] = 1, [INT_U16] = 2, [INT_U32] = 4,
					  [INT_U64] = 8, [INT_S8] = 1, [INT_S16] = 2,
					  [INT_S32] = 4, [INT_S64] = 8, [INT_UPTR] = 8 };
	const struct idl_type *b = idl_base(t);

	if (b->kind == IDL_INT)
		buf_printf(g->out, "\t{ %s, %u, 0x%llxull, 0x%llxull },\n",
			   idl_is_signed(b->itype) ? "LM_GATE_SINT" : "LM_GATE_UINT",
			   width[b->itype], bits64(b->lo), bits64(b->hi));
	else if (b->kind == IDL_BYTES) /* the pointer, then its length */
		buf_printf(g->out, "\t{ %s, 0, 0x%llxull, 0x%llxull },\n"
			   "\t{ LM_GATE_UINT, 8, 0x%llxull, 0x%llxull },\n",
			   b->ptr == PTR_CONSTANT ? "LM_GATE_BYTES_IN" : "LM_GATE_BYTES_INOUT",
			   bits64(b->lo), bits64(b->hi), bits64(b->lo), bits64(b->hi));
	else if (gate_param_ok(t))
		buf_printf(g->out, "\t{ %s, sizeof(%s), 0, 0 },\n",
			   b->ptr == PTR_CONSTANT ? "LM_GATE_IN" : "LM_GATE_INOUT",
			   gen_ctype(g, b->target));
	else
		buf_puts(g->out, "\t{ LM_GATE_NONE, 0, 0, 0 },\n");
}

/* Is the routine's result one word of plain data (or void)? */
static const char *gate_result(const struct idl_routine *r)
{
	const struct idl_type *b = idl_base(r->out);

	if (b->kind == IDL_NULL)
		return "LM_GATE_VOID";
	if ((b->kind == IDL_INT || b->kind == IDL_SUM) && plain_data(r->out, 0))
		return "LM_GATE_WORD";
	return "LM_GATE_NONE";
}

/* The routine's C parameters (a record's fields, or the one; a byte
 * buffer is two: its pointer and its length). */
static size_t gate_nparams(const struct idl_routine *r)
{
	const struct idl_type *in = idl_base(r->in);
	size_t n = 0;

	if (in->kind != IDL_RECORD)
		return in->kind == IDL_NULL ? 0 : in->kind == IDL_BYTES ? 2 : 1;
	for (const struct idl_field *f = in->fields; f; f = f->next)
		n += idl_base(f->type)->kind == IDL_BYTES ? 2 : 1;
	return n;
}

/* Why a gate cannot call r, for the gate's refusals (a string literal's
 * contents), or NULL if it can: at most five parameters, each checked, and
 * a result of void or one word. */
static const char *gate_why(struct gen *g, const struct idl_routine *r)
{
	const struct idl_type *in = idl_base(r->in);
	const char *why;
	size_t i = 1;

	if (gate_nparams(r) > 5)
		return gen_fmt(g, "%zu parameters, more than five", gate_nparams(r));
	if (in->kind == IDL_RECORD) {
		for (const struct idl_field *f = in->fields; f; f = f->next, i++)
			if ((why = gate_param_why(f->type)))
				return gen_fmt(g, "parameter %zu (%s) is %s", i, f->name, why);
	} else if (gate_nparams(r) && (why = gate_param_why(r->in))) {
		return gen_fmt(g, "its parameter is %s", why);
	}
	if (!strcmp(gate_result(r), "LM_GATE_NONE"))
		return "its result is neither void nor one word";
	return NULL;
}

static bool gateable(struct gen *g, const struct idl_routine *r)
{
	return !gate_why(g, r);
}

/* r's parameter table, if it has parameters. */
static void gen_gate_params(struct gen *g, const struct idl_door *o, const struct idl_routine *r)
{
	const struct idl_type *in = idl_base(r->in);

	if (!gate_nparams(r))
		return;
	buf_printf(g->out, "static const struct lm_gate_param %s_%s_gate_params[] "
		   "__attribute__((unused)) = {\n", o->name, r->name);
	if (in->kind == IDL_RECORD)
		for (const struct idl_field *f = in->fields; f; f = f->next)
			gen_gate_param(g, f->type);
	else
		gen_gate_param(g, r->in);
	buf_puts(g->out, "};\n");
}

/*
 * The wrappers of gateable routine r (index i). D_r_gated returns LM_OK and
 * the result in *Result, or the lm_err code of the gate's refusal; in an
 * untrusted build it makes the syscall (lm_gate_call), and D_r, the same C
 * signature as the direct wrapper, calls it and returns the refusal's code
 * in place of a result (a status reads it as one; for a result whose range
 * holds small numbers, D_r_gated tells them apart). In a trusted build
 * D_r_gated calls the door directly, so one source builds both ways.
 */
static void gen_gate_wrappers(struct gen *g, const struct idl_door *o,
			      const struct idl_routine *r, size_t i, bool untrusted)
{
	const char *args, *params = gen_params(g, r->in, &args);
	const char *out = gen_ctype(g, r->out);
	bool is_void = idl_base(r->out)->kind == IDL_NULL, none = !strcmp(params, "void");
	const char *gated = gen_fmt(g, "%s_%s_gated", o->name, r->name);
	struct idl_buf call = {0};
	size_t n = gate_nparams(r), k = 0;
	const char *a = args;

	buf_printf(g->out, "static inline enum lm_err %s(const struct %s_door *Door%s%s%s)\n{\n",
		   gated, o->name, none ? "" : ", ", none ? "" : params,
		   is_void ? "" : gen_fmt(g, ", %s", gen_decl(g, out, "*Result")));
	if (!untrusted) {
		buf_printf(g->out, "\t%sDoor->%s(%s);\n\treturn LM_OK;\n}\n",
			   is_void ? "" : "*Result = ", r->name, args);
		return;
	}
	/* Each argument as a word; the missing ones 0. */
	while (k < 5) {
		size_t len = strcspn(a, ",");

		if (k < n)
			buf_printf(&call, ", (uint64_t)(uintptr_t)(%.*s)", (int)len, a);
		else
			buf_puts(&call, ", 0");
		a += len;
		a += *a == ',' ? 2 : 0;
		k++;
	}
	if (call.failed)
		g->nomem = true;
	buf_printf(g->out, "\tuint64_t Value = 0;\n\tenum lm_err Refused = lm_gate_call(Door, %zu%s, "
		   "&Value);\n\n", i, call.data ? call.data : "");
	buf_printf(g->out, "\t%sreturn Refused;\n}\n",
		   is_void ? "" : gen_fmt(g, "if (!Refused)\n\t\t*Result = (%s)Value;\n\t", out));
	buf_free(&call);
	buf_printf(g->out, "static inline %s(const struct %s_door *Door%s%s)\n{\n",
		   gen_decl(g, out, gen_fmt(g, "%s_%s_untrusted", o->name, r->name)), o->name,
		   none ? "" : ", ", none ? "" : params);
	if (is_void)
		buf_printf(g->out, "\t(void)%s(Door%s%s);\n}\n", gated, none ? "" : ", ", args);
	else
		buf_printf(g->out, "\t%s Result;\n\tenum lm_err Refused = %s(Door%s%s, &Result);\n\n"
			   "\treturn Refused ? (%s)Refused : Result;\n}\n", out, gated,
			   none ? "" : ", ", args, out);
	buf_printf(g->out, "#define %s_%s %s_%s_untrusted\n", o->name, r->name, o->name, r->name);
}

/* The door's gate description, and the wrappers of an untrusted build
 * (LM_UNTRUSTED), which call each routine a gate can call through the
 * syscall instruction, with the same C signature. */
static void gen_gate(struct gen *g, const struct idl_door *o, const char *up)
{
	size_t i = 0;

	buf_printf(g->out, "\n/* For gates (docs/isolation.md): each routine's parameters "
		   "as checked and\n * copied for an untrusted caller. */\n");
	for (const struct idl_routine *r = o->routines; r; r = r->next)
		gen_gate_params(g, o, r);
	buf_printf(g->out, "static const struct lm_gate_routine %s_gate_routines[] "
		   "__attribute__((unused)) = {\n", o->name);
	for (const struct idl_routine *r = o->routines; r; r = r->next) {
		size_t n = gate_nparams(r);

		const char *why = gate_why(g, r);
		const char *result = why ? "LM_GATE_NONE" : gate_result(r);

		if (n)
			buf_printf(g->out, "\t{ %zu, %s, %s_%s_gate_params, ", n, result, o->name,
				   r->name);
		else
			buf_printf(g->out, "\t{ 0, %s, 0, ", result);
		buf_puts(g->out, why ? gen_fmt(g, "\"%s\" },\n", why) : "0 },\n");
	}
	buf_printf(g->out, "};\nstatic const struct lm_gate_desc %s_gate_desc "
		   "__attribute__((unused)) = {\n\t%s_API_ID_INIT, %s_ROUTINE_COUNT, "
		   "%s_gate_routines\n};\n", o->name, up, up, o->name);
	buf_printf(g->out, "\n#ifdef LM_UNTRUSTED\n"
		   "/* An untrusted build: the door is a token from the gate. */\n"
		   "static inline const struct %s_door *%s_untrusted_find(void)\n{\n"
		   "\treturn (const struct %s_door *)lm_gate_find(&%s_api_id);\n}\n"
		   "#define %s_door_find %s_untrusted_find\n", o->name, o->name, o->name,
		   o->name, o->name, o->name);
	for (const struct idl_routine *r = o->routines; r; r = r->next, i++)
		if (gateable(g, r))
			gen_gate_wrappers(g, o, r, i, true);
	buf_puts(g->out, "#else\n/* A trusted build: the same, a direct call that the gate never "
		      "refuses. */\n");
	for (const struct idl_routine *r = o->routines; r; r = r->next)
		if (gateable(g, r))
			gen_gate_wrappers(g, o, r, 0, false);
	buf_puts(g->out, "#endif\n");
}

static void gen_door(struct gen *g, const struct idl_door *o)
{
	const char *up = gen_upper(g, o->name);

	buf_puts(g->out, "\n");
	put_doc(g, o->doc, "");
	buf_printf(g->out, "struct %s_door {\n\tstruct lm_door header;\n", o->name);
	for (const struct idl_routine *r = o->routines; r; r = r->next) {
		put_doc(g, r->doc, "\t");
		buf_printf(g->out, "\t%s(%s);\n",
			   gen_decl(g, gen_ctype(g, r->out), gen_fmt(g, "(*%s)", r->name)),
			   gen_params(g, r->in, NULL));
	}
	buf_puts(g->out, "};\n\n");
	buf_printf(g->out, "#define %s_ROUTINE_COUNT %zu\n", up, o->nroutines);
	buf_printf(g->out, "#define %s_API_ID_INIT {{ ", up);
	for (size_t i = 0; i < sizeof o->id; i++)
		buf_printf(g->out, "0x%02x%s", o->id[i], i + 1 < sizeof o->id ? ", " : " }}\n");
	buf_printf(g->out, "/* For publishers: .header = %s_DOOR_HEADER in a static struct %s_door. */\n",
		   up, o->name);
	buf_printf(g->out, "#define %s_DOOR_HEADER { %s_API_ID_INIT, \"%s\", %s_ROUTINE_COUNT }\n",
		   up, up, o->name, up);
	buf_printf(g->out, "static const struct lm_api_id %s_api_id = %s_API_ID_INIT;\n", o->name,
		   up);
	buf_printf(g->out, "\n/* The published door, or NULL if none is registered. */\n"
		   "static inline const struct %s_door *%s_door_find(void)\n{\n"
		   "\treturn (const struct %s_door *)lm_door_find(&%s_api_id);\n}\n",
		   o->name, o->name, o->name, o->name);
	gen_door_desc(g, o, up);
	for (const struct idl_routine *r = o->routines; r; r = r->next)
		gen_wrapper(g, o, r);
	gen_gate(g, o, up);
}

int idl_generate(struct idl_ctx *ctx, struct idl_file *file, const char *prefix,
		 const char *source_name, struct idl_buf *out)
{
	struct gen g = {.ctx = ctx, .file = file, .prefix = prefix, .out = out};
	const char *guard;

	g.deps.def = emit_def;
	g.deps.anon = emit_anon;
	gen_name_anons(&g);
	if (gen_register(&g))
		return -1;
	guard = gen_fmt(&g, "IDL_%s_H", gen_upper(&g, prefix));
	buf_puts(out, "/* Generated by idlc from ");
	put_comment_text(out, source_name, strlen(source_name));
	buf_puts(out, "; do not edit. */\n");
	put_doc(&g, file->doc, "");
	buf_printf(out, "#ifndef %s\n#define %s\n\n", guard, guard);
	buf_puts(out, "#include <stdint.h>\n\n#include <lemmings/door.h>\n"
		      "#include <lemmings/systab.h>\n");
	gen_declarations(&g);
	for (struct idl_def *d = file->defs; d; d = d->next)
		if (emit_def(&g.deps, d))
			return -1;
	for (struct idl_type *t = g.anon_head; t; t = t->anon_next)
		if (emit_anon(&g.deps, t))
			return -1;
	for (const struct idl_door *o = file->doors; o; o = o->next)
		gen_door(&g, o);
	buf_printf(out, "\n#endif\n");
	if (g.nomem || out->failed)
		return idl_nomem(ctx);
	return 0;
}
