/*
 * idlc C generator, internal interface between cnames.c (what things are
 * called and spelled in C) and gen.c (what is written, in which order).
 */
#ifndef TOOLS_IDLC_GEN_H
#define TOOLS_IDLC_GEN_H

#include "tools/idlc/idlc.h"

struct gen_name;

struct gen {
	struct idl_deps deps;          /* first: gen.c casts back from it */
	struct idl_ctx *ctx;
	struct idl_file *file;
	const char *prefix;            /* the file's stem, "threads" */
	struct idl_buf *out;
	struct gen_name **names;       /* every global C identifier written */
	size_t names_size;             /* buckets, a power of two */
	size_t names_count;            /* names held; at most names_size */
	struct idl_type *anon_head;    /* anonymous records and routine types */
	struct idl_type **anon_tail;
	bool nomem;                    /* a string could not be allocated */
};

/* printf into the arena; "" (and g->nomem) if memory runs out. */
const char *gen_fmt(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The name in upper case, for macros. */
const char *gen_upper(struct gen *g, const char *s);

/* Give every anonymous record and routine type its C name and list it. */
void gen_name_anons(struct gen *g);
/* Register every global identifier the header will define; an error if
 * two are the same or a parameter would hide one. */
int gen_register(struct gen *g);

/* The C spelling of t as a type name: "uint8_t", "const uint8_t *",
 * "struct threads_spawn_request", "threads_entry *". */
const char *gen_ctype(struct gen *g, const struct idl_type *t);
/* "T name", or "T *name" when T ends in '*'. */
const char *gen_decl(struct gen *g, const char *ctype, const char *name);
/* The parameter list for input type in ("void", "uint64_t arg",
 * "threads_thread thread" (named after a named type),
 * "threads_thread target, uint64_t bits") and, if args is not NULL, the
 * matching argument list. */
const char *gen_params(struct gen *g, const struct idl_type *in, const char **args);

#endif
