/*
 * The init language's shell in lemmings-hosted (docs/init.md, "The
 * shell"): standard input, a line at a time, through the line editor
 * (lang/lineedit.c) into one machine (lang/), output on standard output.
 *
 * On a terminal, the terminal is put in raw mode (no echo, no line
 * buffering, no signals from keys; output processing kept, so "\n" still
 * starts a new line) and restored at the end; the editor draws the line
 * and the prompt ("> ", or "... " inside an open definition). From a pipe
 * the same keys are understood, nothing is echoed and no prompt is shown,
 * so a test can feed keys and read only the results.
 *
 * It runs in a Lemmings thread (boot's, after init has started), so that
 * words that call doors can come later. Everything that reaches libc or
 * runs the machine happens on the hart stack (hosted_on_hart_stack): a
 * poll of standard input that never blocks, the bytes it read, the lines
 * they completed. With nothing to read, the thread sleeps 10 ms on a
 * Lemmings timer, so the hart runs other threads meanwhile. Compiled code
 * runs on the machine's own return stack (hosted/lang_mem.c). A run may
 * take 10^9 steps (seconds): the keys that would interrupt it are read
 * only between lines.
 *
 * One shell per process; no locking (one thread uses it).
 */
#include "hosted/shell.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/timer.h"
#include "hosted/hosted.h"
#include "hosted/lang_mem.h"
#include "lang/lang.h"
#include "lang/lineedit.h"

#define SHELL_BUDGET 1000000000ull
#define SHELL_IDLE_NS 10000000ull

struct shell {
	struct lang_vm *vm;
	struct lang_mem mem;
	struct lineedit le;
	struct termios saved;
	bool tty, raw, ready, done, more, got_input;
	uint32_t line_no;
	char last;    /* the last byte written */
};

static struct shell sh;

static void shell_write(void *ctx, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(1, s, len);

		if (n <= 0)
			return;
		sh.last = s[n - 1];
		s += n;
		len -= (size_t)n;
	}
}

static void say(const char *s)
{
	shell_write(NULL, s, strlen(s));
}

static int h_bye(struct lang_regs *regs)
{
	sh.done = true;
	return 0;
}

static int h_help(struct lang_regs *regs)
{
	say("The init language: a small Forth, compiled as it is read (docs/init.md).\n"
	    "  numbers     42 -7 0x1f $1f\n"
	    "  stack       dup drop swap over rot nip tuck 2dup 2drop depth .s\n"
	    "  arithmetic  + - * / mod /mod negate abs 1+ 1- min max\n"
	    "  logic       and or xor invert lshift rshift = <> < > u< 0= 0<\n"
	    "  memory      @ ! c@ c! +! variable NAME  N constant NAME  dump ( addr len )\n"
	    "  output      . u. emit cr space type s\" text\" .\" text\" hex decimal\n"
	    "  defining    : NAME ... ;  recurse exit immediate\n"
	    "  control     if else then  begin until  begin while repeat  do loop i j\n"
	    "  comments    \\ to the end of the line  ( up to a parenthesis )\n"
	    "  words       every word;  bye  ends the shell\n"
	    "Keys: left/right, Home/End (Ctrl-A/Ctrl-E), Backspace, Ctrl-U erases to the\n"
	    "start, up/down walk the history, Tab completes a word, Ctrl-C drops the line,\n"
	    "Ctrl-D on an empty line ends the shell.\n");
	return 0;
}

static const struct lang_word_def shell_words[] = {
	{ "help", h_help, 0, 0 },
	{ "bye", h_bye, 0, 0 },
};

static void prompt(void)
{
	lineedit_prompt(&sh.le, sh.more ? "... " : "> ");
}

static void run_line(const char *text, size_t len, bool more)
{
	enum lm_err err;

	sh.last = '\n';
	sh.line_no++;
	err = lang_eval_lines(sh.vm, "stdin", sh.line_no, text, len, more);
	sh.more = err == LM_ERR_BUSY;
	if (sh.last != '\n')
		say("\n");
}

static void shell_start(void *arg)
{
	struct termios raw;

	sh.vm = calloc(1, sizeof *sh.vm);
	if (!sh.vm || lang_mem_alloc(&sh.mem, 1 << 20, 256 * 1024) != LM_OK ||
	    lang_init(sh.vm, &sh.mem, shell_write, NULL) != LM_OK ||
	    lang_add_words(sh.vm, shell_words, 2, NULL, 0) != LM_OK) {
		say("shell: cannot set up the language\n");
		sh.done = true;
		return;
	}
	lang_set_budget(sh.vm, SHELL_BUDGET);
	sh.tty = isatty(0) && isatty(1);
	if (sh.tty && tcgetattr(0, &sh.saved) == 0) {
		raw = sh.saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
		raw.c_iflag &= ~(tcflag_t)(ICRNL | IXON | INLCR);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		sh.raw = tcsetattr(0, TCSAFLUSH, &raw) == 0;
	}
	lineedit_init(&sh.le, sh.vm, sh.tty, shell_write, NULL);
	if (sh.tty)
		say("Lemmings shell: 'help' lists the words and keys, 'bye' leaves.\n");
	prompt();
}

/* Read what is there, without waiting, and act on it. */
static void shell_step(void *arg)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char buf[256];
	ssize_t n;

	sh.got_input = false;
	if (poll(&p, 1, 0) <= 0)
		return;
	sh.got_input = true;
	n = read(0, buf, sizeof buf);
	if (n <= 0) {
		/* The end of the input: a last line without its newline, then
		 * whatever is still open is an error. */
		if (sh.le.len > 0 && lineedit_feed(&sh.le, '\n') == LINEEDIT_LINE)
			run_line(sh.le.line, strlen(sh.le.line), true);
		if (sh.more)
			run_line("", 0, false);
		sh.done = true;
		return;
	}
	for (ssize_t i = 0; i < n && !sh.done; i++) {
		switch (lineedit_feed(&sh.le, buf[i])) {
		case LINEEDIT_LINE:
			run_line(sh.le.line, strlen(sh.le.line), true);
			if (!sh.done)
				prompt();
			break;
		case LINEEDIT_EOF:
			sh.done = true;
			break;
		default:
			break;
		}
	}
}

static void shell_end(void *arg)
{
	if (sh.raw)
		tcsetattr(0, TCSAFLUSH, &sh.saved);
	if (sh.tty)
		say("\n");
	if (sh.vm) {
		lang_mem_free(&sh.mem);
		free(sh.vm);
		sh.vm = NULL;
	}
}

void hosted_shell(void)
{
	hosted_on_hart_stack(shell_start, NULL);
	while (!sh.done) {
		hosted_on_hart_stack(shell_step, NULL);
		if (!sh.got_input)
			timer_sleep_ns(SHELL_IDLE_NS);
	}
	hosted_on_hart_stack(shell_end, NULL);
}
