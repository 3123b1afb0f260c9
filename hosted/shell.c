/*
 * The init language's shell in lemmings-hosted (docs/init.md, "The
 * shell"): standard input, a line at a time, through the shared shell
 * (services/shell.c: line editor, machine, the system's words, door calls
 * by name), output on standard output.
 *
 * On a terminal, the terminal is put in raw mode (no echo, no line
 * buffering, no signals from keys; output processing kept, so "\n" still
 * starts a new line) and restored at the end; the editor draws the line
 * and the prompt ("> ", or "... " inside an open definition). From a pipe
 * the same keys are understood, nothing is echoed and no prompt is shown,
 * so a test can feed keys and read only the results.
 *
 * It runs in a Lemmings thread of its own (SHELL_STACK_PAGES of stack: the
 * compiler's C frames), started after init, so that its words can call
 * doors, which may park the thread (a door's lock, a hart moved out of the
 * scheduler): the lines run on that thread's stack, never on the hart
 * stack, which must not see a thread switch. What reaches libc goes
 * through hosted_on_hart_stack: a poll of standard input that never
 * blocks, its read, the writes of output. With nothing to read, the
 * thread sleeps 10 ms on a Lemmings timer, so the hart runs other threads
 * meanwhile. Compiled code runs on the machine's own return stack
 * (hosted/lang_mem.c); a CPU fault there is not caught on the host (no
 * guard): it ends the process, but the host's memory range (the data
 * space) keeps @ and ! from faulting. A run may take 10^9 steps
 * (seconds): the keys that would interrupt it are read only between
 * lines.
 *
 * One shell per process; no locking (one thread uses it).
 */
#include "hosted/shell.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/thread.h"
#include "core/timer.h"
#include "hosted/hosted.h"
#include "hosted/lang_mem.h"
#include "lang/lang.h"
#include "services/shell.h"

#define SHELL_BUDGET 1000000000ull
#define SHELL_IDLE_NS 10000000ull
#define SHELL_STACK_PAGES 32
#define SHELL_DONE_EV 1

static struct {
	struct shell sh;
	struct lang_vm *vm;
	struct lang_mem mem;
	struct termios saved;
	bool tty, raw;
	char in[256];
	ssize_t nin;
} hs;

struct out_piece {
	const char *s;
	size_t len;
};

static void write_all(void *arg)
{
	struct out_piece *p = arg;
	const char *s = p->s;
	size_t len = p->len;

	while (len) {
		ssize_t n = write(1, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void stdout_write(void *ctx, const char *s, size_t len)
{
	struct out_piece p = { s, len };

	hosted_on_hart_stack(write_all, &p);
}

static void shell_start(void *arg)
{
	struct termios raw;

	shell_init(&hs.sh, stdout_write, NULL, "stdin");
	hs.vm = calloc(1, sizeof *hs.vm);
	hs.tty = isatty(0) && isatty(1);
	if (hs.tty)
		stdout_write(NULL, "Lemmings shell: 'help' lists the words and keys, 'bye' leaves.\n", 63);
	if (!hs.vm || lang_mem_alloc(&hs.mem, 1 << 20, 256 * 1024) != LM_OK ||
	    lang_init(hs.vm, &hs.mem, shell_output, &hs.sh) != LM_OK ||
	    shell_attach(&hs.sh, hs.vm, hs.tty, NULL, 0, NULL) != LM_OK) {
		stdout_write(NULL, "shell: cannot set up the language\n", 34);
		hs.sh.done = true;
		return;
	}
	lang_set_budget(hs.vm, SHELL_BUDGET);
	if (hs.tty && tcgetattr(0, &hs.saved) == 0) {
		raw = hs.saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
		raw.c_iflag &= ~(tcflag_t)(ICRNL | IXON | INLCR);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		hs.raw = tcsetattr(0, TCSAFLUSH, &raw) == 0;
	}
}

/* Read what is there, without waiting: hs.nin bytes, -1 for none, 0 at
 * the end of the input. */
static void shell_read(void *arg)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };

	hs.nin = -1;
	if (poll(&p, 1, 0) <= 0)
		return;
	hs.nin = read(0, hs.in, sizeof hs.in);
	if (hs.nin < 0)
		hs.nin = 0;
}

static void shell_end(void *arg)
{
	if (hs.raw)
		tcsetattr(0, TCSAFLUSH, &hs.saved);
	if (hs.tty)
		stdout_write(NULL, "\n", 1);
	if (hs.vm) {
		lang_mem_free(&hs.mem);
		free(hs.vm);
		hs.vm = NULL;
	}
}

static void shell_thread(void *arg)
{
	hosted_on_hart_stack(shell_start, NULL);
	while (!hs.sh.done) {
		hosted_on_hart_stack(shell_read, NULL);
		if (hs.nin < 0)
			timer_sleep_ns(SHELL_IDLE_NS);
		else if (hs.nin == 0)
			shell_end_of_input(&hs.sh);
		else
			shell_feed(&hs.sh, hs.in, (size_t)hs.nin);
	}
	hosted_on_hart_stack(shell_end, NULL);
}

void hosted_shell(void)
{
	struct thread_opts o = {
		.entry = shell_thread, .stack_pages = SHELL_STACK_PAGES, .name = "shell",
		.hart = -1, .notify = thread_current(), .notify_bits = SHELL_DONE_EV,
	};

	if (thread_spawn(&o, NULL) != LM_OK) {
		stdout_write(NULL, "shell: no thread for it\n", 24);
		return;
	}
	thread_wait(SHELL_DONE_EV);
}
