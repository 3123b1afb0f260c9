/*
 * Formatted output without a C library: the printf family's common subset,
 * written to a sink callback. The kernel's console, the programs' log and
 * snprintf all sit on top of fmt_vformat.
 *
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#', a
 * width and a precision (numbers or '*'), and the length modifiers hh h l ll
 * z j t. Anything else is printed as written, so a bad format string shows up
 * in the output instead of reading random arguments.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(void *ctx, const char *s, size_t len);

/* Returns the number of characters produced. */
size_t fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Always terminates buf (if size > 0); returns the length that would have
 * been written with unlimited space, like C's snprintf. */
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Text from outside (a command line, a file name), safe to print: len bytes
 * of s with printable ASCII as it is and every other byte as \xNN (a
 * backslash as \\, a double quote as \"), so that no escape sequence
 * reaches a terminal. Terminates buf like fmt_snprintf, and returns the
 * length that would have been written with unlimited space. */
size_t fmt_escape(char *buf, size_t size, const char *s, size_t len);

/* The value of a hexadecimal digit (0-9, a-f, A-F), for readers of numbers
 * in text; -1 for any other byte. */
int fmt_hex_digit(char c);

#endif
