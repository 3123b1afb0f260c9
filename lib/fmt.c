/*
 * printf-style formatting. Conversions are built in a small stack buffer and
 * handed to the sink in runs, so a console sink sees whole words, not single
 * characters.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/fmt.h"

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int precision; /* -1: none */
};

static void emit_pad(fmt_sink sink, void *ctx, char c, int n, size_t *count)
{
	static const char zeros[16] = "0000000000000000";
	static const char spaces[16] = "                ";
	const char *run = c == '0' ? zeros : spaces;

	while (n > 0) {
		int k = n < 16 ? n : 16;
		sink(ctx, run, (size_t)k);
		*count += (size_t)k;
		n -= k;
	}
}

static void emit(fmt_sink sink, void *ctx, const char *s, size_t len,
		 size_t *count)
{
	if (len) {
		sink(ctx, s, len);
		*count += len;
	}
}

/* Print an already converted number: prefix ("-", "0x"...) and digits. */
static void emit_number(fmt_sink sink, void *ctx, const struct spec *sp,
			const char *prefix, const char *digits, int ndigits,
			size_t *count)
{
	int plen = 0, zeros = 0, total, pad;

	while (prefix[plen])
		plen++;
	if (sp->precision >= 0 && sp->precision > ndigits)
		zeros = sp->precision - ndigits;
	total = plen + zeros + ndigits;
	pad = sp->width > total ? sp->width - total : 0;
	if (sp->zero && !sp->left && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		emit_pad(sink, ctx, ' ', pad, count);
	emit(sink, ctx, prefix, (size_t)plen, count);
	emit_pad(sink, ctx, '0', zeros, count);
	emit(sink, ctx, digits, (size_t)ndigits, count);
	if (sp->left)
		emit_pad(sink, ctx, ' ', pad, count);
}

static int convert(uintmax_t v, unsigned base, bool upper, char *end)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = set[v % base];
		v /= base;
	} while (v);
	return (int)(end - p);
}

static int parse_int(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (v < 100000)
			v = v * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return v;
}

size_t fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	size_t count = 0;

	while (*fmt) {
		const char *start = fmt, *conv;
		struct spec sp = {.precision = -1};
		int length = 0; /* 0 int, 1 long, 2 long long / intmax, -1 short, -2 char */
		char buf[32];
		char *end = buf + sizeof buf;
		uintmax_t u;
		intmax_t s;
		int n;

		while (*fmt && *fmt != '%')
			fmt++;
		emit(sink, ctx, start, (size_t)(fmt - start), &count);
		if (!*fmt)
			break;
		conv = fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = sp.width == -sp.width ? 0 : -sp.width;
			}
			fmt++;
		} else {
			sp.width = parse_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.precision = va_arg(ap, int);
				if (sp.precision < 0)
					sp.precision = -1;
				fmt++;
			} else {
				sp.precision = parse_int(&fmt);
			}
		}
		if (*fmt == 'h') {
			length = -1;
			if (*++fmt == 'h') {
				length = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			length = 1;
			if (*++fmt == 'l') {
				length = 2;
				fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
			length = 2;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (length == 2)
				s = va_arg(ap, long long);
			else if (length == 1)
				s = va_arg(ap, long);
			else if (length == -1)
				s = (short)va_arg(ap, int);
			else if (length == -2)
				s = (signed char)va_arg(ap, int);
			else
				s = va_arg(ap, int);
			u = s < 0 ? -(uintmax_t)s : (uintmax_t)s;
			n = convert(u, 10, false, end);
			emit_number(sink, ctx, &sp,
				    s < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "",
				    end - n, n, &count);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (length == 2)
				u = va_arg(ap, unsigned long long);
			else if (length == 1)
				u = va_arg(ap, unsigned long);
			else if (length == -1)
				u = (unsigned short)va_arg(ap, unsigned);
			else if (length == -2)
				u = (unsigned char)va_arg(ap, unsigned);
			else
				u = va_arg(ap, unsigned);
			n = convert(u, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				    *fmt == 'X', end);
			emit_number(sink, ctx, &sp,
				    sp.alt && u ? (*fmt == 'x' ? "0x" : *fmt == 'X' ? "0X" : *fmt == 'o' ? "0" : "") : "",
				    end - n, n, &count);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			n = convert(u, 16, false, end);
			emit_number(sink, ctx, &sp, "0x", end - n, n, &count);
			break;
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			sp.precision = -1;
			sp.zero = false;
			emit_number(sink, ctx, &sp, "", buf, 1, &count);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len = 0;

			if (!str)
				str = "(null)";
			while ((sp.precision < 0 || len < sp.precision) && str[len])
				len++;
			sp.precision = -1;
			sp.zero = false;
			emit_number(sink, ctx, &sp, "", str, len, &count);
			break;
		}
		case '%':
			emit(sink, ctx, "%", 1, &count);
			break;
		default:
			/* Unknown conversion: show it literally. */
			if (!*fmt)
				fmt--;
			emit(sink, ctx, conv, (size_t)(fmt - conv + 1), &count);
			break;
		}
		fmt++;
	}
	return count;
}

struct strbuf {
	char *buf;
	size_t size, used;
};

static void strbuf_sink(void *ctx, const char *s, size_t len)
{
	struct strbuf *sb = ctx;

	while (len--) {
		if (sb->used + 1 < sb->size)
			sb->buf[sb->used] = *s;
		sb->used++;
		s++;
	}
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct strbuf sb = {buf, size, 0};
	size_t n = fmt_vformat(strbuf_sink, &sb, fmt, ap);

	if (size)
		buf[sb.used < size ? sb.used : size - 1] = 0;
	return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

size_t fmt_escape(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[4];
		size_t n = 0;

		if (c == '\\' || c == '"') {
			e[n++] = '\\';
			e[n++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			e[n++] = (char)c;
		} else {
			e[n++] = '\\';
			e[n++] = 'x';
			e[n++] = hex[c >> 4];
			e[n++] = hex[c & 15];
		}
		for (size_t k = 0; k < n; k++, used++)
			if (used + 1 < size)
				buf[used] = e[k];
	}
	if (size)
		buf[used < size ? used : size - 1] = 0;
	return used;
}

int fmt_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
