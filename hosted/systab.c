/*
 * The hosted runtime's part of the system table (core/systab.h), which
 * programs call at the GS base of every hart, as in the kernel. log writes
 * to standard output with one write(2) per call (no stdio buffering on a
 * 4 KiB thread stack, and lines from several harts never interleave within
 * a call); panic stops the calling thread, as in the kernel.
 */
#include <lemmings/systab.h>

#include "core/systab.h"
#include "core/thread.h"
#include "hosted/hosted.h"
#include "lib/fmt.h"
#include "lib/string.h"

/* The runtime does not read its mappings: NULL is refused, and any other
 * bad pointer faults the calling thread, which hosted/fault.c stops. */
bool systab_readable(const void *p, size_t len)
{
	return p != NULL;
}

bool systab_writable(const void *p, size_t len)
{
	return p != NULL;
}

void systab_log(const char *text, size_t len)
{
	size_t n = systab_log_length(text, len);

	if (n)
		hosted_console_write(text, n); /* on the hart stack */
}

__attribute__((noreturn)) void systab_panic(const char *text, size_t len)
{
	char line[160];
	struct thread *t = thread_current();

	fmt_snprintf(line, sizeof line, "[thread %llu %s] panic: %.*s\n",
		     (unsigned long long)t->id, t->name, text ? (int)(len < 100 ? len : 100) : 0,
		     text ? text : "");
	systab_log(line, strnlen(line, sizeof line));
	thread_exit();
}
