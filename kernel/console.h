/*
 * The kernel console: formatted output to the serial port.
 *
 * kprintf may be called from any context, interrupt and fault handlers
 * included. Whole calls are atomic with respect to other harts. A hart that
 * faults while printing (and so re-enters) is let through rather than
 * deadlocking, at the price of mixed-up output.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t len);

/* The same for text at an address a script gave (a lang_write_fn, ctx
 * unused): copied in pieces first, so that a fault reading it comes while
 * the caller reads, not inside console_write with the console's lock held
 * and interrupts off (the init language's fault catcher would leave both
 * so). */
void console_write_from(void *ctx, const char *s, size_t len);

#endif
