/*
 * printf and friends over lib/fmt.c. A call formats into a buffer on the
 * stack, flushed to the log whenever it fills and at the end, so that a
 * line from one thread is not cut by another's.
 */
#include <lemmings/systab.h>
#include <stdio.h>
#include <string.h>

#include "lib/fmt.h"

struct logbuf {
	char text[256];
	size_t used;
};

static void log_sink(void *ctx, const char *s, size_t len)
{
	struct logbuf *b = ctx;

	while (len) {
		size_t n = sizeof b->text - b->used;

		if (n > len)
			n = len;
		memcpy(b->text + b->used, s, n);
		b->used += n;
		s += n;
		len -= n;
		if (b->used == sizeof b->text) {
			lm_log(b->text, b->used);
			b->used = 0;
		}
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct logbuf b;
	size_t n;

	b.used = 0;
	n = fmt_vformat(log_sink, &b, fmt, ap);
	if (b.used)
		lm_log(b.text, b.used);
	return (int)n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return (int)fmt_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
