/*
 * idlc pipeline: parse, check, compute the API IDs, then write either the
 * header, the ID lines or the canonical forms (one after the other) into
 * out. On error out is left empty and err holds
 * the first message ("file:line:col: error: ..."). All memory but out's is
 * freed before returning.
 */
#include <stdio.h>
#include <string.h>

#include "tools/idlc/idlc.h"

static void put_ids(const struct idl_file *file, struct idl_buf *out)
{
	for (const struct idl_door *d = file->doors; d; d = d->next) {
		buf_printf(out, "%s ", d->name);
		for (size_t i = 0; i < sizeof d->id; i++)
			buf_printf(out, "%02x", d->id[i]);
		buf_puts(out, "\n");
	}
}

int idlc_compile(const char *src, size_t len, const char *path, const char *prefix,
		 enum idlc_mode mode, struct idl_buf *out, char *err, size_t err_size)
{
	struct idl_ctx ctx = {.path = path};
	struct idl_file file;
	int rc;

	rc = idl_parse(&ctx, src, len, &file);
	if (!rc)
		rc = idl_check(&ctx, &file);
	if (!rc)
		rc = idl_door_ids(&ctx, &file);
	if (!rc && mode == IDLC_HEADER)
		rc = idl_generate(&ctx, &file, prefix, path, out);
	if (!rc && mode == IDLC_IDS)
		put_ids(&file, out);
	for (const struct idl_door *d = file.doors; !rc && mode == IDLC_CANONICAL && d;
	     d = d->next)
		idl_canonical(&file, d, out);
	if (!rc && out->failed)
		rc = idl_nomem(&ctx);
	if (rc && !ctx.err[0])
		idl_nomem(&ctx);
	arena_free(&ctx.arena);
	snprintf(err, err_size, "%s", rc ? ctx.err : "");
	if (rc) {
		buf_free(out);
		return -1;
	}
	return 0;
}
