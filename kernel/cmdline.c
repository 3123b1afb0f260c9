/*
 * Command-line tokenizer (syntax in cmdline.h). It never writes to the line
 * and never reads past its terminating NUL.
 */
#include "kernel/cmdline.h"
#include "lib/fmt.h"
#include "lib/string.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Skip the rest of a bad word so that parsing can resume after it. */
static void skip_word(const char *line, size_t *pos)
{
	while (line[*pos] && !is_blank(line[*pos]))
		(*pos)++;
}

static enum lm_err fail(const char *line, size_t *pos, size_t at, char *err,
			size_t err_size, const char *what)
{
	fmt_snprintf(err, err_size, "column %zu: %s", at + 1, what);
	skip_word(line, pos);
	return LM_ERR_FORMAT;
}

enum lm_err cmdline_next(const char *line, size_t *cursor, struct cmdline_word *w,
			 char *err, size_t err_size)
{
	size_t pos = *cursor, start;
	enum lm_err e = LM_OK;

	while (is_blank(line[pos]))
		pos++;
	if (!line[pos]) {
		*cursor = pos;
		return LM_ERR_NOENT;
	}
	start = pos;
	w->offset = start;
	w->key = line + pos;
	while (is_key_char(line[pos]))
		pos++;
	w->key_len = pos - start;
	w->value = NULL;
	w->value_len = 0;

	if (!w->key_len && line[pos] == '=')
		e = fail(line, &pos, pos, err, err_size, "option without a name before '='");
	else if (line[pos] && !is_blank(line[pos]) && line[pos] != '=')
		e = fail(line, &pos, pos, err, err_size,
			 (unsigned char)line[pos] < 0x20 || (unsigned char)line[pos] >= 0x7f
				 ? "unexpected control or non-ASCII character in an option name"
				 : "unexpected character in an option name");
	else if (line[pos] == '=') {
		pos++;
		if (line[pos] == '"') {
			size_t open = pos++;
			w->value = line + pos;
			while (line[pos] && line[pos] != '"')
				pos++;
			if (!line[pos]) {
				*cursor = pos;
				fmt_snprintf(err, err_size, "column %zu: unterminated quote",
					     open + 1);
				return LM_ERR_FORMAT;
			}
			w->value_len = (size_t)(line + pos - w->value);
			pos++;
			if (line[pos] && !is_blank(line[pos]))
				e = fail(line, &pos, pos, err, err_size,
					 "text right after a closing quote");
		} else {
			w->value = line + pos;
			while (line[pos] && !is_blank(line[pos]))
				pos++;
			w->value_len = (size_t)(line + pos - w->value);
		}
	}
	*cursor = pos;
	return e;
}

bool cmdline_key_is(const struct cmdline_word *w, const char *key)
{
	return strlen(key) == w->key_len && !memcmp(w->key, key, w->key_len);
}

/* A decimal number at *p; false if there is none. One too long to be a
 * hart number (more than 5 digits) reads as HART_TOO_LARGE, which every
 * limit refuses. */
#define HART_TOO_LARGE 100000u
static bool parse_small(const char **p, unsigned *v)
{
	unsigned n = 0, digits = 0;

	while (**p >= '0' && **p <= '9') {
		if (++digits <= 5)
			n = n * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	*v = digits > 5 ? HART_TOO_LARGE : n;
	return digits > 0;
}

enum lm_err cmdline_parse_harts(const char *text, unsigned limit, uint64_t *mask,
				char *err, size_t err_size)
{
	const char *p = text;
	uint64_t m = 0;

	if (limit > 64)
		limit = 64;
	for (;;) {
		const char *item = p;
		unsigned lo, hi;

		if (!parse_small(&p, &lo)) {
			fmt_snprintf(err, err_size, "column %zu: expected a hart number",
				     (size_t)(item - text) + 1);
			return LM_ERR_FORMAT;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (!parse_small(&p, &hi)) {
				fmt_snprintf(err, err_size, "column %zu: expected the end of the range",
					     (size_t)(p - text) + 1);
				return LM_ERR_FORMAT;
			}
		}
		if (lo >= HART_TOO_LARGE || hi >= HART_TOO_LARGE) {
			fmt_snprintf(err, err_size, "column %zu: hart number too large (%u harts)",
				     (size_t)(item - text) + 1, limit);
			return LM_ERR_RANGE;
		}
		if (hi < lo) {
			fmt_snprintf(err, err_size, "column %zu: range %u-%u runs backwards",
				     (size_t)(item - text) + 1, lo, hi);
			return LM_ERR_RANGE;
		}
		if (hi >= limit) {
			fmt_snprintf(err, err_size, "column %zu: hart %u does not exist (%u harts)",
				     (size_t)(item - text) + 1, hi, limit);
			return LM_ERR_RANGE;
		}
		for (unsigned i = lo; i <= hi; i++)
			m |= 1ull << i;
		if (!*p)
			break;
		if (*p != ',') {
			char shown[5];

			fmt_escape(shown, sizeof shown, p, 1);
			fmt_snprintf(err, err_size, "column %zu: unexpected '%s'",
				     (size_t)(p - text) + 1, shown);
			return LM_ERR_FORMAT;
		}
		p++;
	}
	*mask = m;
	return LM_OK;
}
