/*
 * panic: a kernel invariant is broken. Prints the message and a backtrace,
 * stops every hart, and (under test) makes QEMU exit with a failure status.
 * Never used for bad input: that gets an error value.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Stop this hart for good (interrupts off, halted). */
__attribute__((noreturn)) void hart_stop(void);

#define ASSERT_KERNEL(cond)                                                  \
	do {                                                                 \
		if (!(cond))                                                 \
			panic("assertion failed: %s (%s:%d)", #cond,         \
			      __FILE__, __LINE__);                           \
	} while (0)

#endif
