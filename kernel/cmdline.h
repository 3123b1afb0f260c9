/*
 * The boot command line: words separated by blanks, each `key` or
 * `key=value`. Keys are letters, digits, '_', '-' and '.'; a value runs to
 * the next blank, or is written in double quotes to include blanks
 * (`init="/bin/sh -x"`). No escapes. Portable: the kernel parses its
 * Multiboot command line with it and the hosted runtime its arguments.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

struct cmdline_word {
	const char *key;
	size_t key_len;
	const char *value; /* NULL when the word has no '=' */
	size_t value_len;
	size_t offset;     /* where the word starts in the line */
};

/*
 * Read the next word from *cursor (which advances past it). Returns LM_OK
 * with *w filled, LM_ERR_NOENT at the end of the line, or LM_ERR_FORMAT for a
 * malformed word, with a message in err; the cursor then stands after the
 * bad word, so that the caller can warn and go on.
 */
enum lm_err cmdline_next(const char *line, size_t *cursor, struct cmdline_word *w,
			 char *err, size_t err_size);

/*
 * A set of harts, as in `sched=0-2,5`: comma-separated numbers and ranges,
 * each below limit (at most 64). Returns LM_OK with the set as a bit mask,
 * or LM_ERR_FORMAT / LM_ERR_RANGE with a message in err.
 */
enum lm_err cmdline_parse_harts(const char *text, unsigned limit, uint64_t *mask,
				char *err, size_t err_size);

/* Does the word's key equal key? */
bool cmdline_key_is(const struct cmdline_word *w, const char *key);

#endif
