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

#endif
