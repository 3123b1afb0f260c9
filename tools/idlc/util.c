/*
 * idlc support: the arena every node lives in, the growable output buffer
 * and error reporting.
 *
 * The arena is a list of malloc'd chunks freed together; an allocation
 * failure sets arena->failed and returns NULL, and callers turn that into
 * an "out of memory" error. The buffer records a failed growth in
 * buf->failed and ignores further appends, so that generators can write
 * freely and check once at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/idlc/idlc.h"

#define CHUNK_SIZE 16384

struct idl_chunk {
	struct idl_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct idl_arena *a, size_t size)
{
	struct idl_chunk *c = a->head;

	size = (size + 15) & ~(size_t)15;
	if (!c || c->size - c->used < size) {
		size_t want = size > CHUNK_SIZE ? size : CHUNK_SIZE;

		c = malloc(sizeof *c + want);
		if (!c) {
			a->failed = true;
			return NULL;
		}
		c->size = want;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;

	c->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct idl_arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

void arena_free(struct idl_arena *a)
{
	while (a->head) {
		struct idl_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

static void buf_reserve(struct idl_buf *b, size_t extra)
{
	if (b->failed || b->cap - b->len > extra)
		return;
	size_t cap = b->cap ? b->cap : 4096;

	while (cap - b->len <= extra)
		cap *= 2;
	char *p = realloc(b->data, cap);

	if (!p) {
		b->failed = true;
		return;
	}
	b->data = p;
	b->cap = cap;
}

void buf_add(struct idl_buf *b, const char *s, size_t len)
{
	buf_reserve(b, len);
	if (b->failed)
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = 0;
}

void buf_puts(struct idl_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_printf(struct idl_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_add(b, small, (size_t)n);
		return;
	}
	buf_reserve(b, (size_t)n);
	if (b->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_free(struct idl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

int idl_error(struct idl_ctx *ctx, struct idl_pos pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ctx->err[0])
		return -1;
	n = snprintf(ctx->err, sizeof ctx->err, "%s:%d:%d: error: ", ctx->path,
		     pos.line, pos.col);
	if (n < 0 || (size_t)n >= sizeof ctx->err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, sizeof ctx->err - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int idl_nomem(struct idl_ctx *ctx)
{
	struct idl_pos none = {0, 0};

	return idl_error(ctx, none, "out of memory");
}
