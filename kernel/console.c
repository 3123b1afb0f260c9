/*
 * Console output. One lock serializes whole kprintf calls across harts; the
 * owner is remembered so that a fault inside kprintf on the same hart can
 * still print its report (see console.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/serial.h"
#include "arch/spinlock.h"
#include "arch/upcalls.h"
#include "core/hart.h"
#include "kernel/console.h"
#include "lib/fmt.h"
#include "lib/string.h"

static struct spinlock console_lock = SPINLOCK_INIT;
static int32_t console_owner = -1;

void console_init(void)
{
	serial_init();
}

static void console_sink(void *ctx, const char *s, size_t len)
{
	serial_write(s, len);
}

/* Returns true if this call took the lock (and must release it). */
static bool console_enter(bool *irq)
{
	int32_t me;

	*irq = irq_save(); /* first: then the hart read below stays ours */
	me = (int32_t)hart_id();
	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me)
		return false; /* re-entered from a fault on this hart */
	spin_lock(&console_lock);
	__atomic_store_n(&console_owner, me, __ATOMIC_RELAXED);
	return true;
}

static void console_leave(bool took, bool irq)
{
	if (took) {
		__atomic_store_n(&console_owner, -1, __ATOMIC_RELAXED);
		spin_unlock(&console_lock);
	}
	irq_restore(irq);
}

void kvprintf(const char *fmt, va_list ap)
{
	bool irq, took = console_enter(&irq);

	fmt_vformat(console_sink, 0, fmt, ap);
	console_leave(took, irq);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void console_write(const char *s, size_t len)
{
	bool irq, took = console_enter(&irq);

	serial_write(s, len);
	console_leave(took, irq);
}

void console_write_from(void *ctx, const char *s, size_t len)
{
	char copy[128];

	(void)ctx;
	while (len) {
		size_t n = len < sizeof copy ? len : sizeof copy;

		memcpy(copy, s, n);
		console_write(copy, n);
		s += n;
		len -= n;
	}
}
