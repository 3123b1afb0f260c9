/*
 * The console of the hosted runtime: standard output, written with
 * write(2) on the hart stack (hosted/hart_stack.c), never through stdio
 * from a Lemmings thread. One call's text goes out in one write when Linux
 * takes it all (a pipe takes up to 4 KiB at once), so lines from several
 * harts do not interleave within a call.
 */
#include <unistd.h>

#include "hosted/hosted.h"

struct console_text {
	const char *text;
	size_t len;
};

static void console_write_all(void *arg)
{
	struct console_text *c = arg;

	while (c->len) {
		ssize_t n = write(1, c->text, c->len);

		if (n <= 0)
			return;
		c->text += n;
		c->len -= (size_t)n;
	}
}

void hosted_console_write(const char *text, size_t len)
{
	struct console_text c = {text, len};

	hosted_on_hart_stack(console_write_all, &c);
}
