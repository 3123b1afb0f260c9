/*
 * The shells' line editor (lineedit.h). The whole line is redrawn after
 * every key: a carriage return, the prompt, the text, "erase to the end of
 * the line", then the cursor moved back; a line is at most 256 bytes, so
 * that costs nothing a terminal would notice and keeps the editor free of
 * cursor bookkeeping.
 */
#include "lang/lineedit.h"

#include "lib/fmt.h"
#include "lib/string.h"

static void out(struct lineedit *le, const char *s, size_t len)
{
	if (le->echo && le->write && len)
		le->write(le->ctx, s, len);
}

static void redraw(struct lineedit *le)
{
	char seq[24];
	size_t n;

	out(le, "\r", 1);
	out(le, le->prompt, strlen(le->prompt));
	out(le, le->line, le->len);
	out(le, "\x1b[K", 3);
	if (le->cur < le->len) {
		n = fmt_snprintf(seq, sizeof seq, "\x1b[%zuD", le->len - le->cur);
		out(le, seq, n);
	}
}

void lineedit_init(struct lineedit *le, const struct lang_vm *vm, bool echo,
		   lang_write_fn *write, void *ctx)
{
	memset(le, 0, sizeof *le);
	le->vm = vm;
	le->echo = echo;
	le->write = write;
	le->ctx = ctx;
	le->prompt = "";
}

void lineedit_prompt(struct lineedit *le, const char *prompt)
{
	le->prompt = prompt;
	if (le->len == 0) { /* a fresh line: nothing to clear */
		out(le, "\r", 1);
		out(le, prompt, strlen(prompt));
		return;
	}
	redraw(le);
}

static void set_line(struct lineedit *le, const char *s)
{
	le->len = strlen(s);
	memcpy(le->line, s, le->len);
	le->cur = le->len;
}

static const char *history_at(struct lineedit *le, size_t back)
{
	return le->history[(le->first + le->nhistory - back) % LINEEDIT_HISTORY];
}

static void history_add(struct lineedit *le)
{
	size_t at;

	if (le->len == 0 || (le->nhistory && strcmp(history_at(le, 1), le->line) == 0))
		return;
	if (le->nhistory == LINEEDIT_HISTORY) {
		le->first = (le->first + 1) % LINEEDIT_HISTORY;
		le->nhistory--;
	}
	at = (le->first + le->nhistory) % LINEEDIT_HISTORY;
	memcpy(le->history[at], le->line, le->len + 1);
	le->nhistory++;
}

static void insert(struct lineedit *le, const char *s, size_t n)
{
	if (n > LINEEDIT_MAX - le->len)
		n = LINEEDIT_MAX - le->len;
	memmove(le->line + le->cur + n, le->line + le->cur, le->len - le->cur);
	memcpy(le->line + le->cur, s, n);
	le->len += n;
	le->cur += n;
}

static void erase_before(struct lineedit *le, size_t n)
{
	memmove(le->line + le->cur - n, le->line + le->cur, le->len - le->cur);
	le->len -= n;
	le->cur -= n;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next visible word, from index *k on, whose name starts with the plen
 * bytes at prefix (*k is left after it); NULL when none is left. One pass
 * over the dictionary per listing, so a Tab costs O(words). */
static const char *next_match(const struct lang_vm *vm, size_t *k, const char *prefix,
			      size_t plen)
{
	while (vm && *k < vm->nwords) {
		const struct lang_word *w = &vm->words[(*k)++];

		if (!w->hidden && w->len >= plen && memcmp(w->name, prefix, plen) == 0)
			return w->name;
	}
	return NULL;
}

/* Tab: complete the word before the cursor. */
static void complete(struct lineedit *le)
{
	size_t start = le->cur, plen, common = 0, matches = 0, k = 0;
	const char *first = NULL, *name;

	while (start > 0 && !is_blank(le->line[start - 1]))
		start--;
	plen = le->cur - start;
	while ((name = next_match(le->vm, &k, le->line + start, plen)) != NULL) {
		if (matches++ == 0) {
			first = name;
			common = strlen(name);
		} else {
			size_t same = plen;
			while (same < common && name[same] == first[same])
				same++;
			common = same;
		}
	}
	if (matches == 0)
		return;
	if (matches == 1) {
		insert(le, first + plen, common - plen);
		insert(le, " ", 1);
	} else if (common > plen) {
		insert(le, first + plen, common - plen);
	} else {
		/* List the candidates under the line, then draw it again. */
		out(le, "\r\n", 2);
		k = 0;
		while ((name = next_match(le->vm, &k, le->line + start, plen)) != NULL) {
			out(le, name, strlen(name));
			out(le, " ", 1);
		}
		out(le, "\r\n", 2);
	}
}

static void history_move(struct lineedit *le, bool up)
{
	if (up && le->browse < le->nhistory)
		le->browse++;
	else if (!up && le->browse > 0)
		le->browse--;
	else
		return;
	if (le->browse == 0) {
		le->len = le->cur = 0;
	} else {
		set_line(le, history_at(le, le->browse));
	}
}

/* The final byte of ESC [ x or ESC O x. */
static void escape(struct lineedit *le, char c)
{
	switch (c) {
	case 'A': history_move(le, true); break;
	case 'B': history_move(le, false); break;
	case 'C': if (le->cur < le->len) le->cur++; break;
	case 'D': if (le->cur > 0) le->cur--; break;
	case 'H': le->cur = 0; break;
	case 'F': le->cur = le->len; break;
	default: break;
	}
}

enum lineedit_event lineedit_feed(struct lineedit *le, char c)
{
	bool after_cr = le->after_cr;

	le->after_cr = false;
	if (le->esc == 1) {
		le->esc = (c == '[' || c == 'O') ? 2 : 0;
		return LINEEDIT_NONE;
	}
	if (le->esc == 2) {
		/* Parameters (digits, ';') come before the final byte. */
		if ((c >= '0' && c <= '9') || c == ';')
			return LINEEDIT_NONE;
		le->esc = 0;
		escape(le, c);
		redraw(le);
		return LINEEDIT_NONE;
	}
	switch (c) {
	case '\n':
		if (after_cr)
			return LINEEDIT_NONE;
		/* fall through */
	case '\r':
		le->after_cr = c == '\r';
		le->line[le->len] = '\0';
		history_add(le);
		out(le, "\r\n", 2);
		le->len = le->cur = 0;
		le->browse = 0;
		return LINEEDIT_LINE;
	case 0x1b:
		le->esc = 1;
		return LINEEDIT_NONE;
	case 0x7f:
	case '\b':
		if (le->cur > 0)
			erase_before(le, 1);
		break;
	case 0x15: /* Ctrl-U */
		erase_before(le, le->cur);
		break;
	case 0x01: /* Ctrl-A */
		le->cur = 0;
		break;
	case 0x05: /* Ctrl-E */
		le->cur = le->len;
		break;
	case 0x03: /* Ctrl-C */
		out(le, "^C\r\n", 4);
		le->len = le->cur = 0;
		le->browse = 0;
		break;
	case 0x04: /* Ctrl-D */
		if (le->len == 0)
			return LINEEDIT_EOF;
		break;
	case '\t':
		complete(le);
		break;
	default:
		if ((unsigned char)c < 0x20)
			return LINEEDIT_NONE;
		if (le->cur == le->len && le->len < LINEEDIT_MAX) {
			/* Typed at the end: the byte itself is the redraw. */
			insert(le, &c, 1);
			out(le, &c, 1);
			return LINEEDIT_NONE;
		}
		insert(le, &c, 1);
		break;
	}
	redraw(le);
	return LINEEDIT_NONE;
}
