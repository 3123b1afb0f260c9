/*
 * The init language's reader (reader.h): words, strings, comments and
 * numbers, each with its position. Every byte that is not a blank belongs
 * to a word, NUL and control bytes included: nothing in the text can stop
 * the reader but its end.
 */
#include "lang/reader.h"
#include "lib/fmt.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void reader_init(struct reader *r, const char *text, size_t len)
{
	r->text = text;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	r->col = 1;
}

static void advance(struct reader *r)
{
	if (r->text[r->pos] == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	r->pos++;
}

bool reader_word(struct reader *r, struct token *t)
{
	while (r->pos < r->len && is_blank(r->text[r->pos]))
		advance(r);
	if (r->pos == r->len)
		return false;
	t->s = r->text + r->pos;
	t->line = r->line;
	t->col = r->col;
	while (r->pos < r->len && !is_blank(r->text[r->pos]))
		advance(r);
	t->len = (size_t)(r->text + r->pos - t->s);
	return true;
}

bool reader_until(struct reader *r, char delim, bool one_line, struct token *t)
{
	/* The blank that ended the word is not part of what follows it. */
	if (r->pos < r->len && r->text[r->pos] != '\n')
		advance(r);
	t->s = r->text + r->pos;
	t->line = r->line;
	t->col = r->col;
	while (r->pos < r->len && r->text[r->pos] != delim) {
		if (one_line && r->text[r->pos] == '\n')
			return false;
		advance(r);
	}
	if (r->pos == r->len)
		return false;
	t->len = (size_t)(r->text + r->pos - t->s);
	advance(r); /* the delimiter */
	return true;
}

void reader_skip_line(struct reader *r)
{
	while (r->pos < r->len && r->text[r->pos] != '\n')
		advance(r);
}

bool reader_number(const char *s, size_t len, int64_t *out)
{
	bool neg = false;
	unsigned base = 10;
	uint64_t v = 0, max;
	size_t i = 0;

	if (i < len && s[i] == '-') {
		neg = true;
		i++;
	}
	if (i < len && s[i] == '$') {
		base = 16;
		i++;
	} else if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i == len)
		return false;
	/* Decimal: a signed cell; -9223372036854775808 is allowed. */
	max = base == 16 ? UINT64_MAX : (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX);
	for (; i < len; i++) {
		unsigned d = (unsigned)fmt_hex_digit(s[i]); /* -1: above any base */

		if (d >= base)
			return false;
		if (v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = (int64_t)(neg ? 0 - v : v);
	return true;
}

bool reader_looks_numeric(const char *s, size_t len)
{
	size_t i = 0;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '$')
		i++;
	return i < len && s[i] >= '0' && s[i] <= '9';
}
