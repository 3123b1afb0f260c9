/*
 * idlc canonical form and API IDs.
 *
 * The canonical form of a door is a text that says what the door means and
 * nothing else: its name, its routines in order, and the definitions of the
 * named types they reach (through any number of names, pointers, records,
 * sums and routines), sorted by name. Comments, spacing, the spelling of
 * numbers, range shorthands and the order of definitions in the file leave
 * it unchanged. docs/idl.md specifies it byte for byte; the API ID is the
 * first 16 bytes of its SHA-256.
 *
 * Runs after idl_check: every name is resolved. The reachable set is
 * gathered with a worklist (no recursion through names); recursion into a
 * type is bounded by IDL_MAX_DEPTH.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/idlc/idlc.h"
#include "tools/idlc/sha256.h"

#define CANON_VERSION "lemmings-idl 1\n"

void idl_put_value(struct idl_buf *b, idl_value v)
{
	char digits[40];
	int n = 0;
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;

	do {
		digits[n++] = "0123456789abcdef"[(int)(u & 15)];
		u >>= 4;
	} while (u);
	if (v < 0)
		buf_puts(b, "-");
	buf_puts(b, "0x");
	while (n)
		buf_add(b, &digits[--n], 1);
}

static void put_type(struct idl_buf *b, const struct idl_type *t);

static void put_fields(struct idl_buf *b, const char *kw, const struct idl_type *t)
{
	buf_printf(b, "%s { ", kw);
	for (const struct idl_field *f = t->fields; f; f = f->next) {
		buf_printf(b, "%s: ", f->name);
		put_type(b, f->type);
		buf_puts(b, f->next ? ", " : " }");
	}
}

static void put_type(struct idl_buf *b, const struct idl_type *t)
{
	static const char *const ptr[] = {"constant", "shared", "unique"};

	switch (t->kind) {
	case IDL_INT:
		buf_printf(b, "%s ", kw_name((enum idl_kw)t->itype));
		idl_put_value(b, t->lo);
		buf_puts(b, " to ");
		idl_put_value(b, t->hi);
		break;
	case IDL_NULL:
		buf_puts(b, "null");
		break;
	case IDL_POINTER:
		buf_printf(b, "pointer %s ", ptr[t->ptr]);
		put_type(b, t->target);
		break;
	case IDL_RECORD:
		put_fields(b, "record", t);
		break;
	case IDL_SUM:
		put_fields(b, "sum", t);
		break;
	case IDL_ROUTINE:
		buf_puts(b, "routine ( ");
		put_type(b, t->in);
		buf_puts(b, " -> ");
		put_type(b, t->out);
		buf_puts(b, " )");
		break;
	case IDL_NAMED:
		buf_puts(b, t->name);
		break;
	case IDL_BYTES:
		buf_printf(b, "bytes %s ", ptr[t->ptr]);
		idl_put_value(b, t->lo);
		buf_puts(b, " to ");
		idl_put_value(b, t->hi);
		break;
	}
}

struct reach {
	struct idl_def **defs;
	size_t n;
};

/* Add the named types t mentions directly to the worklist. */
static void reach_type(struct reach *r, const struct idl_type *t)
{
	switch (t->kind) {
	case IDL_NAMED:
		if (!t->def->reached) {
			t->def->reached = true;
			r->defs[r->n++] = t->def;
		}
		break;
	case IDL_POINTER:
		reach_type(r, t->target);
		break;
	case IDL_ROUTINE:
		reach_type(r, t->in);
		reach_type(r, t->out);
		break;
	case IDL_RECORD:
	case IDL_SUM:
		for (const struct idl_field *f = t->fields; f; f = f->next)
			reach_type(r, f->type);
		break;
	default:
		break;
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct idl_def *const *)a)->name, (*(struct idl_def *const *)b)->name);
}

void idl_canonical(const struct idl_file *file, const struct idl_door *door, struct idl_buf *out)
{
	struct reach r = {0};

	r.defs = calloc(file->ndefs + 1, sizeof *r.defs);
	if (!r.defs) {
		out->failed = true;
		return;
	}
	buf_puts(out, CANON_VERSION);
	buf_printf(out, "door %s\n", door->name);
	for (const struct idl_routine *rt = door->routines; rt; rt = rt->next) {
		buf_printf(out, "routine %s ", rt->name);
		put_type(out, rt->in);
		buf_puts(out, " -> ");
		put_type(out, rt->out);
		buf_puts(out, "\n");
		reach_type(&r, rt->in);
		reach_type(&r, rt->out);
	}
	for (size_t i = 0; i < r.n; i++)
		reach_type(&r, r.defs[i]->type);
	qsort(r.defs, r.n, sizeof *r.defs, by_name);
	for (size_t i = 0; i < r.n; i++) {
		buf_printf(out, "type %s = ", r.defs[i]->name);
		put_type(out, r.defs[i]->type);
		buf_puts(out, "\n");
		r.defs[i]->reached = false;
	}
	free(r.defs);
}

int idl_door_ids(struct idl_ctx *ctx, struct idl_file *file)
{
	for (struct idl_door *d = file->doors; d; d = d->next) {
		struct idl_buf canon = {0};
		uint8_t digest[SHA256_DIGEST_SIZE];
		bool zero = true;

		idl_canonical(file, d, &canon);
		if (canon.failed) {
			buf_free(&canon);
			return idl_nomem(ctx);
		}
		sha256(canon.data, canon.len, digest);
		buf_free(&canon);
		memcpy(d->id, digest, sizeof d->id);
		for (size_t i = 0; i < sizeof d->id; i++)
			zero &= !d->id[i];
		if (zero)
			return idl_error(ctx, d->pos, "the API ID of door '%s' is all zeroes; rename it",
					 d->name);
	}
	return 0;
}
