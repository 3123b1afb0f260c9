/*
 * The init language's reader: splits a script into words (runs of bytes
 * other than space, tab, CR and LF), with the line and column (from 1, in
 * bytes) of each, and reads what some words take from the text after them
 * (a string up to '"', a comment up to ')' or the end of the line).
 * It also reads numbers. Owns nothing; the text is the caller's.
 */
#ifndef LANG_READER_H
#define LANG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reader {
	const char *text;
	size_t len, pos;
	uint32_t line, col;  /* of text[pos] */
};

struct token {
	const char *s;
	size_t len;
	uint32_t line, col;
};

void reader_init(struct reader *r, const char *text, size_t len);

/* The next word; false at the end of the text. */
bool reader_word(struct reader *r, struct token *t);

/* The text after the word just read (and the one blank that ended it) up
 * to `delim`, which is consumed; on the same line only if `one_line`.
 * False, with the reader at the end of the line or text, if there is no
 * delim. */
bool reader_until(struct reader *r, char delim, bool one_line, struct token *t);

/* Skip to the end of the line. */
void reader_skip_line(struct reader *r);

/* A number: decimal, hexadecimal after 0x or $, either after a '-'.
 * Hexadecimal may use all 64 bits; decimal must fit in a signed cell. */
bool reader_number(const char *s, size_t len, int64_t *out);

/* Whether a word that is not a number was meant to be one (it starts with
 * a digit, or '-' or '$' and a digit): "bad number" rather than "unknown
 * word". */
bool reader_looks_numeric(const char *s, size_t len);

#endif
