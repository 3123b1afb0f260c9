/*
 * idlc: the Lemmings IDL compiler, shared definitions.
 *
 * The compiler is a pipeline over one source buffer: lexer.c turns bytes
 * into tokens, parser.c builds the tree below, check.c resolves names and
 * enforces the rules of the language, canon.c computes each door's API ID
 * from its canonical form, and gen.c writes the C header. compile.c runs the
 * stages in order; main.c is the command line and fuzz.c the fuzzer.
 *
 * Every node and string lives in one arena (struct idl_arena) owned by the
 * compilation and freed in one go at its end. Each stage returns 0 or -1;
 * on -1 the first error is in ctx->err as "file:line:col: error: message"
 * and nothing else is reported. No global mutable state: two compilations
 * may run side by side.
 */
#ifndef TOOLS_IDLC_IDLC_H
#define TOOLS_IDLC_IDLC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values of ranges: -2^63 .. 2^64-1 all fit. */
typedef __int128 idl_value;

#define IDL_MAX_DEPTH 32        /* nesting of types in the source */
#define IDL_MAX_CHAIN 128       /* named types reached through named types */
#define IDL_MAX_ITEMS 4096      /* fields, variants, routines or doors in one block */
#define IDL_ERR_MAX 512

struct idl_pos {
	int line, col;          /* 1-based; col counts bytes */
};

/* ---------------------------------------------------------------- arena */

struct idl_chunk;
struct idl_arena {
	struct idl_chunk *head;
	bool failed;            /* an allocation failed */
};

void *arena_alloc(struct idl_arena *a, size_t size);
char *arena_strndup(struct idl_arena *a, const char *s, size_t len);
void arena_free(struct idl_arena *a);

/* A growable byte buffer (the generated header, canonical forms). */
struct idl_buf {
	char *data;
	size_t len, cap;
	bool failed;            /* out of memory: contents are truncated */
};

void buf_add(struct idl_buf *b, const char *s, size_t len);
void buf_puts(struct idl_buf *b, const char *s);
void buf_printf(struct idl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_free(struct idl_buf *b);

/* ---------------------------------------------------------------- context */

struct idl_ctx {
	const char *path;       /* file name used in messages */
	struct idl_arena arena;
	char err[IDL_ERR_MAX];  /* the first error, empty if none */
};

/* Record an error at pos (the first one wins) and return -1. */
int idl_error(struct idl_ctx *ctx, struct idl_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Out of memory: an error at 0:0, returns -1. */
int idl_nomem(struct idl_ctx *ctx);

/* ---------------------------------------------------------------- tokens */

enum idl_tok {
	TOK_EOF, TOK_NAME, TOK_NUMBER, TOK_KEYWORD,
	TOK_EQ, TOK_COLON, TOK_COMMA, TOK_LBRACE, TOK_RBRACE, TOK_ARROW, TOK_MINUS,
};

/* Keywords; the integer types come first, in enum idl_int order. */
enum idl_kw {
	KW_U8, KW_U16, KW_U32, KW_U64, KW_S8, KW_S16, KW_S32, KW_S64, KW_UPTR,
	KW_NULL, KW_POINTER, KW_CONSTANT, KW_SHARED, KW_UNIQUE, KW_RECORD,
	KW_SUM, KW_ROUTINE, KW_DOOR, KW_TO, KW_UNTIL, KW_ADDRESS_MAX,
	KW_COUNT
};

struct idl_token {
	enum idl_tok kind;
	enum idl_kw kw;         /* TOK_KEYWORD */
	struct idl_pos pos;
	const char *text;       /* into the source */
	size_t len;
	uint64_t value;         /* TOK_NUMBER */
	char *lead_doc;         /* comment lines just before this token */
	char *trail_doc;        /* comment after the previous token, same line */
};

struct idl_lexer {
	struct idl_ctx *ctx;
	const char *src;
	size_t len, off;
	int line, col;
	int last_line;          /* line of the last token, 0 before the first */
	char *file_doc;         /* leading block set apart by a blank line */
	struct idl_buf lead;    /* comment lines gathered for the next token */
	bool has_lead;
};

void lex_init(struct idl_lexer *lx, struct idl_ctx *ctx, const char *src, size_t len);
int lex_next(struct idl_lexer *lx, struct idl_token *tok);
void lex_free(struct idl_lexer *lx);
const char *kw_name(enum idl_kw kw);
const char *tok_describe(const struct idl_token *tok, char *buf, size_t size);

/* ---------------------------------------------------------------- tree */

/* IDL_BYTES: a byte buffer, a pointer with its length (`bytes constant
 * 0 to 4096`), two C parameters or members; ptr says how, lo/hi bound the
 * length (itype INT_U64). */
enum idl_kind { IDL_INT, IDL_NULL, IDL_POINTER, IDL_RECORD, IDL_SUM, IDL_ROUTINE, IDL_NAMED,
		IDL_BYTES };
enum idl_int { INT_U8, INT_U16, INT_U32, INT_U64, INT_S8, INT_S16, INT_S32, INT_S64, INT_UPTR };
enum idl_ptr { PTR_CONSTANT, PTR_SHARED, PTR_UNIQUE };

struct idl_type;
struct idl_def;

struct idl_field {             /* record fields and sum variants */
	const char *name;
	struct idl_pos pos;
	char *doc;
	struct idl_type *type;
	struct idl_field *next;
};

struct idl_type {
	enum idl_kind kind;
	struct idl_pos pos;
	enum idl_int itype;            /* IDL_INT */
	idl_value lo, hi;              /* IDL_INT, IDL_BYTES (length), inclusive, checked */
	bool ranged;                   /* a range was written */
	struct idl_pos range_pos;
	enum idl_ptr ptr;              /* IDL_POINTER, IDL_BYTES */
	struct idl_type *target;       /* IDL_POINTER */
	struct idl_field *fields;      /* IDL_RECORD, IDL_SUM */
	size_t nfields;
	struct idl_type *in, *out;     /* IDL_ROUTINE */
	const char *name;              /* IDL_NAMED */
	struct idl_def *def;           /* IDL_NAMED, set by the checker */
	const char *cname;             /* anonymous records/routines: C name */
	int gen_state;                 /* gen.c: 0 new, 1 in progress, 2 done */
	struct idl_type *anon_next;    /* gen.c: list of anonymous types */
};

struct idl_def {
	const char *name;
	struct idl_pos pos;
	char *doc;
	struct idl_type *type;
	struct idl_def *next;          /* in file order */
	struct idl_def *hash_next;     /* check.c: name table */
	int state;                     /* check.c/gen.c walk state */
	int chain;                     /* check.c: aliases to the base + 1 */
	bool reached;                  /* canon.c: reachable from the door */
};

struct idl_routine {
	const char *name;
	struct idl_pos pos;
	char *doc;
	struct idl_type *in, *out;
	struct idl_routine *next;
};

struct idl_door {
	const char *name;
	struct idl_pos pos;
	char *doc;
	struct idl_routine *routines;
	size_t nroutines;
	uint8_t id[16];                /* set by canon.c */
	struct idl_door *next;
};

struct idl_file {
	char *doc;
	struct idl_def *defs;
	size_t ndefs;
	struct idl_door *doors;
	struct idl_def **table;        /* check.c: hash table of defs */
	size_t table_size;
	struct idl_pos end;            /* position of end of file */
};

/* parser.c: parse the whole source into file. */
int idl_parse(struct idl_ctx *ctx, const char *src, size_t len, struct idl_file *file);

/* check.c: resolve names and enforce the rules; after success every
 * IDL_NAMED has its def, and no cycle exists except through a pointer to
 * a record. */
int idl_check(struct idl_ctx *ctx, struct idl_file *file);
struct idl_def *idl_lookup(const struct idl_file *file, const char *name);
/* Follow aliases (name = name) to the definition that is not an alias. */
const struct idl_type *idl_base(const struct idl_type *t);
/* The definition at the end of t's alias chain; NULL if t is not a name. */
struct idl_def *idl_base_def(const struct idl_type *t);
bool idl_is_c_reserved(const char *name);

/*
 * What C needs declared before a type can be written (the dependency
 * edges used for cycle detection and for the order of the header): def is
 * called for a named type whose typedef or struct body must come first,
 * anon for an anonymous record used by value or an anonymous routine type.
 * Records named behind a pointer need nothing: their tags are declared
 * up front. idl_deps_type is for a type used at some position,
 * idl_deps_body for the body of a definition or anonymous type.
 */
struct idl_deps {
	int (*def)(struct idl_deps *w, struct idl_def *d);
	int (*anon)(struct idl_deps *w, struct idl_type *t);
};
int idl_deps_type(struct idl_deps *w, struct idl_type *t, bool by_value);
int idl_deps_body(struct idl_deps *w, struct idl_type *body);
bool idl_is_signed(enum idl_int it);
void idl_int_limits(enum idl_int it, idl_value *min, idl_value *max);

/* canon.c: the canonical form of a door (docs/idl.md), and its API ID. */
void idl_canonical(const struct idl_file *file, const struct idl_door *door, struct idl_buf *out);
int idl_door_ids(struct idl_ctx *ctx, struct idl_file *file);
/* Append a value in canonical notation: 0x hex, lower case, '-' if negative. */
void idl_put_value(struct idl_buf *b, idl_value v);

/* gen.c: the C header; prefix is the file's stem. */
int idl_generate(struct idl_ctx *ctx, struct idl_file *file, const char *prefix,
		 const char *source_name, struct idl_buf *out);

/* compile.c: the whole pipeline on one buffer. */
enum idlc_mode { IDLC_HEADER, IDLC_IDS, IDLC_CANONICAL };
int idlc_compile(const char *src, size_t len, const char *path, const char *prefix,
		 enum idlc_mode mode, struct idl_buf *out, char *err, size_t err_size);
/* Is name a valid IDL name ([a-z_][a-z0-9_]*, not a keyword)? */
bool idl_valid_name(const char *name);

#endif
