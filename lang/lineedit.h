/*
 * A line editor for the init language's shells (the hosted one on a
 * terminal or a pipe; the serial one later): bytes in, whole lines out.
 *
 * Keys: printable bytes insert at the cursor; left/right arrows move it,
 * Home/End and Ctrl-A/Ctrl-E go to either end; Backspace deletes before
 * the cursor, Ctrl-U everything before it; up/down walk the history (the
 * last LINEEDIT_HISTORY lines, repeats once); Tab completes the word
 * before the cursor from the machine's words (all of a single match and a
 * blank, else the matches' common prefix, else a list of them); Enter (CR,
 * LF, or CR LF as one) ends the line; Ctrl-C drops it; Ctrl-D on an empty
 * line ends the input. Other control bytes and unknown escape sequences
 * are ignored.
 *
 * With `echo` set, it redraws the line on the terminal after each key
 * (prompt, text, the cursor put back with ANSI sequences). Owns its buffers;
 * no locking (one shell, one thread).
 */
#ifndef LANG_LINEEDIT_H
#define LANG_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/lang.h"

#define LINEEDIT_MAX 256
#define LINEEDIT_HISTORY 32

enum lineedit_event {
	LINEEDIT_NONE,   /* keep feeding */
	LINEEDIT_LINE,   /* a line is ready in le->line (NUL-terminated) */
	LINEEDIT_EOF,    /* Ctrl-D on an empty line */
};

struct lineedit {
	char line[LINEEDIT_MAX + 1];
	size_t len, cur;
	char history[LINEEDIT_HISTORY][LINEEDIT_MAX + 1];
	size_t nhistory;  /* lines kept, the newest at (first + nhistory - 1) % N */
	size_t first;
	size_t browse;    /* how far back up/down is: 0 = the line being edited */
	int esc;          /* escape sequence state: 0, ESC seen, ESC [ or ESC O seen */
	bool after_cr;    /* a LF right after a CR is the same Enter */
	bool echo;
	const char *prompt;
	lang_write_fn *write;
	void *ctx;
	const struct lang_vm *vm; /* for completion */
};

void lineedit_init(struct lineedit *le, const struct lang_vm *vm, bool echo,
		   lang_write_fn *write, void *ctx);

/* Show the prompt (and the line so far) anew. */
void lineedit_prompt(struct lineedit *le, const char *prompt);

/* One byte of input. */
enum lineedit_event lineedit_feed(struct lineedit *le, char c);

#endif
