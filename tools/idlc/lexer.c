/*
 * idlc lexer: bytes to tokens, one at a time, on demand of the parser.
 *
 * Every read is checked against the source length; the source need not be
 * NUL-terminated and may hold any bytes. Comments ("--" to the end of the
 * line) are not tokens: they are collected as documentation. Comment lines
 * that stand alone are the lead_doc of the next token; a comment after a
 * token on the same line is the trail_doc handed out with the token that
 * follows (the parser decides which item it documents). A leading block of
 * comments set apart from the first token by a blank line is the file's
 * documentation (lx->file_doc).
 */
#include <stdio.h>
#include <string.h>

#include "tools/idlc/idlc.h"

#define NAME_MAX_LEN 128

static const char *const keywords[KW_COUNT] = {
	"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "uptr",
	"null", "pointer", "constant", "shared", "unique", "record",
	"sum", "routine", "door", "to", "until", "address_max",
};

const char *kw_name(enum idl_kw kw)
{
	return kw < KW_COUNT ? keywords[kw] : "?";
}

void lex_init(struct idl_lexer *lx, struct idl_ctx *ctx, const char *src, size_t len)
{
	memset(lx, 0, sizeof *lx);
	lx->ctx = ctx;
	lx->src = src;
	lx->len = len;
	lx->line = 1;
	lx->col = 1;
}

static int peek(const struct idl_lexer *lx, size_t ahead)
{
	return lx->off + ahead < lx->len ? (unsigned char)lx->src[lx->off + ahead] : -1;
}

static void bump(struct idl_lexer *lx)
{
	if (lx->src[lx->off] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->off++;
}

static struct idl_pos here(const struct idl_lexer *lx)
{
	struct idl_pos p = {lx->line, lx->col};

	return p;
}

/* A copy of the gathered comment lines in the arena, NULL if none; the
 * gathering starts again. Lines go to lx->lead first so that a long block
 * costs linear time. */
static int take_lead(struct idl_lexer *lx, char **doc)
{
	*doc = NULL;
	if (!lx->has_lead)
		return 0;
	lx->has_lead = false;
	if (lx->lead.failed)
		return idl_nomem(lx->ctx);
	*doc = arena_strndup(&lx->ctx->arena, lx->lead.data ? lx->lead.data : "", lx->lead.len);
	lx->lead.len = 0;
	return *doc ? 0 : idl_nomem(lx->ctx);
}

static int lex_comment(struct idl_lexer *lx, struct idl_token *tok)
{
	size_t start, end;
	bool trailing = lx->last_line == lx->line;

	bump(lx);
	bump(lx);
	while (peek(lx, 0) == ' ' || peek(lx, 0) == '\t')
		bump(lx);
	start = lx->off;
	while (peek(lx, 0) >= 0 && peek(lx, 0) != '\n')
		bump(lx);
	end = lx->off;
	while (end > start && (lx->src[end - 1] == ' ' || lx->src[end - 1] == '\t' ||
			       lx->src[end - 1] == '\r'))
		end--;
	if (trailing) {
		/* One per line, so one per token: no need to append. */
		tok->trail_doc = arena_strndup(&lx->ctx->arena, lx->src + start, end - start);
		return tok->trail_doc ? 0 : idl_nomem(lx->ctx);
	}
	if (lx->has_lead)
		buf_add(&lx->lead, "\n", 1);
	buf_add(&lx->lead, lx->src + start, end - start);
	lx->has_lead = true;
	return 0;
}

void lex_free(struct idl_lexer *lx)
{
	buf_free(&lx->lead);
	lx->has_lead = false;
}

/* Skip blanks and comments, collecting documentation into tok. */
static int lex_skip(struct idl_lexer *lx, struct idl_token *tok)
{
	bool line_blank = lx->col == 1;

	for (;;) {
		int c = peek(lx, 0);

		if (c == ' ' || c == '\t' || c == '\r') {
			bump(lx);
		} else if (c == '\n') {
			if (line_blank && lx->last_line == 0 && lx->has_lead && !lx->file_doc &&
			    take_lead(lx, &lx->file_doc))
				return -1;
			bump(lx);
			line_blank = true;
		} else if (c == '-' && peek(lx, 1) == '-') {
			if (lex_comment(lx, tok))
				return -1;
			line_blank = false;
		} else {
			return take_lead(lx, &tok->lead_doc);
		}
	}
}

static int digit_value(int c, int base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v >= 0 && v < base ? v : -1;
}

static bool is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static int lex_number(struct idl_lexer *lx, struct idl_token *tok)
{
	int base = 10, v;
	uint64_t value = 0;
	bool overflow = false;

	if (peek(lx, 0) == '0' && peek(lx, 1) == 'x') {
		base = 16;
		bump(lx);
		bump(lx);
	}
	if (digit_value(peek(lx, 0), base) < 0)
		return idl_error(lx->ctx, tok->pos, "malformed number: no digits after '0x'");
	for (;;) {
		v = digit_value(peek(lx, 0), base);
		if (v < 0)
			break;
		if (value > (UINT64_MAX - (uint64_t)v) / (uint64_t)base)
			overflow = true;
		value = value * (uint64_t)base + (uint64_t)v;
		bump(lx);
		if (peek(lx, 0) == '_' && digit_value(peek(lx, 1), base) >= 0)
			bump(lx);
	}
	if (is_word(peek(lx, 0)))
		return idl_error(lx->ctx, tok->pos,
				 "malformed number: unexpected '%c' after digits",
				 (char)peek(lx, 0));
	if (overflow)
		return idl_error(lx->ctx, tok->pos, "number too large (more than 2^64-1)");
	tok->kind = TOK_NUMBER;
	tok->value = value;
	return 0;
}

static int lex_word(struct idl_lexer *lx, struct idl_token *tok)
{
	size_t start = lx->off, len;

	while (is_word(peek(lx, 0)))
		bump(lx);
	len = lx->off - start;
	for (size_t i = 0; i < len; i++)
		if (lx->src[start + i] >= 'A' && lx->src[start + i] <= 'Z')
			return idl_error(lx->ctx, tok->pos,
					 "invalid name '%.*s': names are lower case",
					 (int)(len > 40 ? 40 : len), lx->src + start);
	if (len > NAME_MAX_LEN)
		return idl_error(lx->ctx, tok->pos, "name longer than %d characters",
				 NAME_MAX_LEN);
	tok->kind = TOK_NAME;
	for (int k = 0; k < KW_COUNT; k++) {
		if (strlen(keywords[k]) == len && !memcmp(keywords[k], lx->src + start, len)) {
			tok->kind = TOK_KEYWORD;
			tok->kw = (enum idl_kw)k;
		}
	}
	return 0;
}

static int lex_punct(struct idl_lexer *lx, struct idl_token *tok, int c)
{
	static const char chars[] = "=:,{}";
	static const enum idl_tok kinds[] = {TOK_EQ, TOK_COLON, TOK_COMMA, TOK_LBRACE,
					     TOK_RBRACE};
	const char *p = c > 0 ? strchr(chars, c) : NULL;

	if (c == '-') {
		bump(lx);
		tok->kind = TOK_MINUS;
		if (peek(lx, 0) == '>') {
			bump(lx);
			tok->kind = TOK_ARROW;
		}
		return 0;
	}
	if (p) {
		bump(lx);
		tok->kind = kinds[p - chars];
		return 0;
	}
	if (c > ' ' && c < 0x7f)
		return idl_error(lx->ctx, tok->pos, "unexpected character '%c'", c);
	return idl_error(lx->ctx, tok->pos, "unexpected byte 0x%02x", c);
}

int lex_next(struct idl_lexer *lx, struct idl_token *tok)
{
	int c, rc;

	memset(tok, 0, sizeof *tok);
	if (lex_skip(lx, tok))
		return -1;
	tok->pos = here(lx);
	tok->text = lx->src + lx->off;
	c = peek(lx, 0);
	if (c < 0) {
		tok->kind = TOK_EOF;
		return 0;
	}
	if (c >= '0' && c <= '9')
		rc = lex_number(lx, tok);
	else if (is_word(c))
		rc = lex_word(lx, tok);
	else
		rc = lex_punct(lx, tok, c);
	tok->len = (size_t)(lx->src + lx->off - tok->text);
	lx->last_line = lx->line;
	return rc;
}

/* "'foo'", "number 0x10", "end of file"... for messages. */
const char *tok_describe(const struct idl_token *tok, char *buf, size_t size)
{
	switch (tok->kind) {
	case TOK_EOF:
		return "end of file";
	case TOK_NAME:
		snprintf(buf, size, "name '%.*s'", (int)(tok->len > 40 ? 40 : tok->len), tok->text);
		return buf;
	case TOK_NUMBER:
		snprintf(buf, size, "number '%.*s'", (int)(tok->len > 40 ? 40 : tok->len),
			 tok->text);
		return buf;
	case TOK_KEYWORD:
		snprintf(buf, size, "'%s'", kw_name(tok->kw));
		return buf;
	default:
		snprintf(buf, size, "'%.*s'", (int)tok->len, tok->text);
		return buf;
	}
}
