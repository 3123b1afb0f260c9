/*
 * For lang/'s host tests: a lang_write_fn that keeps what is written in a
 * buffer (NUL-terminated; what does not fit is dropped).
 */
#ifndef LANG_TEST_CAPTURE_H
#define LANG_TEST_CAPTURE_H

#include "lib/string.h"

struct capture {
	char buf[8192];
	size_t len;
};

static inline void capture_write(void *ctx, const char *s, size_t len)
{
	struct capture *c = ctx;

	if (len > sizeof c->buf - 1 - c->len)
		len = sizeof c->buf - 1 - c->len;
	memcpy(c->buf + c->len, s, len);
	c->len += len;
	c->buf[c->len] = '\0';
}

#endif
