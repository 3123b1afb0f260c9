/*
 * The init language's shell (services/shell.h): lines from the line
 * editor into the machine, and the words that look at the system and
 * change it through its doors, the same on both platforms:
 *
 *   help                 the language, the keys, these words
 *   harts                each hart: APIC id, state, idle, running thread, ready
 *   threads              the named threads: id, name, state, hart (p: pinned),
 *                        priority (core/thread.h: thread_list, read directly:
 *                        no door lists threads)
 *   hart-add hart-remove ( n -- )  move a hart into or out of the scheduler
 *   doors                every published door and its routines' words
 *   programs             the files of the boot archive
 *   mem                  free and total memory (the Memory door)
 *   start                ( addr len -- ) a program from the archive, with
 *                        arguments: s" /bin/hello a b" start
 *   bye                  ends the shell (not the kernel's)
 *
 * A word whose door call fails ends the line with a positioned error
 * naming the lm_err (LANG_ERR_LM).
 */
#include "services/shell.h"

#include <stdarg.h>

#include <lemmings/boot_archive.h>
#include <lemmings/harts.h>
#include <lemmings/loader.h>
#include <lemmings/memory.h>

#include "core/hallway.h"
#include "core/thread.h"
#include "lib/fmt.h"
#include "lib/string.h"

void shell_init(struct shell *sh, lang_write_fn *write, void *ctx, const char *file)
{
	memset(sh, 0, sizeof *sh);
	sh->write = write;
	sh->write_ctx = ctx;
	sh->file = file;
	sh->last = '\n';
}

void shell_output(void *ctx, const char *s, size_t len)
{
	struct shell *sh = ctx;

	if (len == 0)
		return;
	sh->write(sh->write_ctx, s, len);
	sh->last = s[len - 1];
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(shell_output, sh, fmt, ap);
	va_end(ap);
}

struct shell *shell_of(struct lang_regs *regs)
{
	return ((struct lang_vm *)(void *)regs)->write_ctx;
}

static uint64_t *cells(struct lang_regs *regs)
{
	return (uint64_t *)(uintptr_t)regs->sp;
}

static const void *door(const struct lm_api_id *id)
{
	return hallway_find(id);
}

static int h_help(struct lang_regs *regs)
{
	struct shell *sh = shell_of(regs);

	shell_printf(sh, "%s",
	    "The init language: a small Forth, compiled as it is read (docs/init.md).\n"
	    "  numbers     42 -7 0x1f $1f\n"
	    "  stack       dup drop swap over rot nip tuck 2dup 2drop depth .s\n"
	    "  arithmetic  + - * / mod /mod negate abs 1+ 1- min max\n"
	    "  logic       and or xor invert lshift rshift = <> < > u< 0= 0<\n"
	    "  memory      @ ! c@ c! +! variable NAME  N constant NAME  dump ( addr len )\n"
	    "  output      . u. emit cr space type s\" text\" .\" text\" hex decimal\n"
	    "  defining    : NAME ... ;  recurse exit immediate\n"
	    "  control     if else then  begin until  begin while repeat  do loop i j\n"
	    "  comments    \\ to the end of the line  ( up to a parenthesis )\n"
	    "  words       every word\n"
	    "The system:\n"
	    "  harts  hart-add ( n -- )  hart-remove ( n -- )  threads  doors  programs  mem\n"
	    "  start ( addr len -- )     s\" /bin/hello a b\" start\n"
	    "  DOOR.ROUTINE              call a door routine: arguments from the stack,\n"
	    "                            its result pushed (doors lists them)\n");
	if (sh->platform_help)
		shell_printf(sh, "%s", sh->platform_help);
	shell_printf(sh, "%s",
	    "Keys: left/right, Home/End (Ctrl-A/Ctrl-E), Backspace, Ctrl-U erases to the\n"
	    "start, up/down walk the history, Tab completes a word, Ctrl-C drops the line");
	shell_printf(sh, "%s", sh->endless ? ".\n" : ",\nCtrl-D on an empty line or bye ends the shell.\n");
	return 0;
}

static int h_bye(struct lang_regs *regs)
{
	struct shell *sh = shell_of(regs);

	if (sh->endless)
		shell_printf(sh, "the console's shell does not end (reboot, poweroff)\n");
	else
		sh->done = true;
	return 0;
}

static const char *const hart_states[] = { "scheduled", "outside", "dedicated", "apart" };

static int h_harts(struct lang_regs *regs)
{
	struct shell *sh = shell_of(regs);
	const struct harts_door *d = door(&harts_api_id);
	struct harts_info info;

	if (!d)
		return LANG_ERR_LM + LM_ERR_NOENT;
	shell_printf(sh, "hart apic state      idle running ready\n");
	for (uint32_t i = 0, n = d->count(); i < n; i++) {
		if (d->describe(i, &info) != LM_OK)
			continue;
		shell_printf(sh, "%4u %4u %-10s %4s %7llu %5u\n", info.id, info.apic_id,
			     info.state < 4 ? hart_states[info.state] : "?",
			     info.idle ? "yes" : "no", (unsigned long long)info.running, info.ready);
	}
	return 0;
}

static const char *const thread_states[] = { "ready", "running", "waiting", "dead" };

/* The named threads (core/thread.h: thread_list; unnamed ones are only
 * counted, by harts' ready column and the scheduler). */
static int h_threads(struct lang_regs *regs)
{
	struct shell *sh = shell_of(regs);
	struct thread_info t[64];
	size_t n = thread_list(t, sizeof t / sizeof t[0]);

	shell_printf(sh, "      id name                     state   hart prio\n");
	for (size_t i = 0; i < n && i < sizeof t / sizeof t[0]; i++)
		shell_printf(sh, "%8llu %-24.24s %-7s %4u%s %4u\n", (unsigned long long)t[i].id,
			     t[i].name, t[i].state < 4 ? thread_states[t[i].state] : "?",
			     t[i].hart, t[i].pinned ? "p" : " ", t[i].priority);
	if (n > sizeof t / sizeof t[0])
		shell_printf(sh, "... %zu more\n", n - sizeof t / sizeof t[0]);
	shell_printf(sh, "%zu named threads (unnamed ones and the harts' idle threads are "
		     "not listed)\n", n);
	return 0;
}

static int hart_move(struct lang_regs *regs, bool add)
{
	const struct harts_door *d = door(&harts_api_id);
	uint64_t hart = cells(regs)[0];
	harts_status st;

	if (!d)
		return LANG_ERR_LM + LM_ERR_NOENT;
	if (hart > HARTS_HART_MAX)
		return LANG_ERR_LM + LM_ERR_RANGE;
	st = add ? d->add((harts_hart)hart) : d->remove((harts_hart)hart);
	if (st)
		return LANG_ERR_LM + (int)(st < LM_ERR_COUNT ? st : LM_ERR_INVAL);
	regs->sp += 8;
	return 0;
}

static int h_hart_add(struct lang_regs *regs) { return hart_move(regs, true); }
static int h_hart_remove(struct lang_regs *regs) { return hart_move(regs, false); }

/* The entries of directory `dir` under the path `prefix`, one level of
 * subdirectories deep. */
static void list_dir(struct shell *sh, const struct boot_archive_door *d, boot_archive_node dir,
		     const char *prefix, int depth)
{
	struct boot_archive_info info;
	uint64_t cookie = 0;
	char path[128];

	while (d->next(dir, &cookie, &info) == LM_OK) {
		fmt_snprintf(path, sizeof path, "%s/%.*s", prefix, (int)info.name_len,
			     (const char *)info.name);
		if ((info.mode & 0170000) == 0040000) {
			if (depth < 2)
				list_dir(sh, d, info.node, path, depth + 1);
		} else {
			shell_printf(sh, "%-24s %8llu bytes\n", path, (unsigned long long)info.size);
		}
	}
}

static int h_programs(struct lang_regs *regs)
{
	const struct boot_archive_door *d = door(&boot_archive_api_id);

	if (!d)
		return LANG_ERR_LM + LM_ERR_NOENT;
	list_dir(shell_of(regs), d, d->root(), "", 0);
	return 0;
}

static int h_mem(struct lang_regs *regs)
{
	const struct memory_door *d = door(&memory_api_id);
	struct memory_info info;
	memory_status st;

	if (!d)
		return LANG_ERR_LM + LM_ERR_NOENT;
	st = d->query(&info);
	if (st)
		return LANG_ERR_LM + (int)(st < LM_ERR_COUNT ? st : LM_ERR_INVAL);
	shell_printf(shell_of(regs), "memory: %llu KiB free of %llu KiB (%llu pages of %u bytes)\n",
		     (unsigned long long)(info.free_pages * info.page_size / 1024),
		     (unsigned long long)(info.total_pages * info.page_size / 1024),
		     (unsigned long long)info.total_pages, info.page_size);
	return 0;
}

/* ( addr len -- ): the path, then its arguments after a blank. */
static int h_start(struct lang_regs *regs)
{
	struct shell *sh = shell_of(regs);
	const struct loader_door *d = door(&loader_api_id);
	uint64_t len = cells(regs)[0], addr = cells(regs)[1];
	char line[256], detail[128];
	const char *args = "";
	loader_start_result r;

	if (!d)
		return LANG_ERR_LM + LM_ERR_NOENT;
	if (len == 0 || len >= sizeof line)
		return LANG_ERR_LM + LM_ERR_RANGE;
	memcpy(line, (const void *)(uintptr_t)addr, len);
	line[len] = 0;
	for (char *p = line; *p; p++)
		if (*p == ' ') {
			*p = 0;
			args = p + 1;
			break;
		}
	detail[0] = 0;
	r = d->start((const uint8_t *)line, (const uint8_t *)args, (uint8_t *)detail,
		     sizeof detail);
	regs->sp += 16;
	if (loader_start_result_is_error(r)) {
		shell_printf(sh, "start %s: %s\n", line, detail[0] ? detail : "refused");
		return LANG_ERR_LM + (int)(r < LM_ERR_COUNT ? r : LM_ERR_INVAL);
	}
	shell_printf(sh, "started %s (thread handle 0x%llx)\n", line, (unsigned long long)r);
	return 0;
}

static const struct lang_word_def shell_words[] = {
	{ "help", h_help, 0, 0 },
	{ "bye", h_bye, 0, 0 },
	{ "harts", h_harts, 0, 0 },
	{ "threads", h_threads, 0, 0 },
	{ "hart-add", h_hart_add, 1, 0 },
	{ "hart-remove", h_hart_remove, 1, 0 },
	{ "doors", shell_list_doors, 0, 0 },
	{ "programs", h_programs, 0, 0 },
	{ "mem", h_mem, 0, 0 },
	{ "start", h_start, 2, 0 },
};

static void prompt(struct shell *sh)
{
	lineedit_prompt(&sh->le, sh->more ? "... " : "> ");
}

enum lm_err shell_attach(struct shell *sh, struct lang_vm *vm, bool echo,
			 const struct lang_word_def *extra, size_t nextra,
			 const char *platform_help)
{
	enum lm_err err;

	sh->vm = vm;
	sh->platform_help = platform_help;
	err = lang_add_words(vm, shell_words, sizeof shell_words / sizeof shell_words[0], NULL, 0);
	if (!err && nextra)
		err = lang_add_words(vm, extra, nextra, NULL, 0);
	if (err)
		return err;
	shell_door_words(sh);
	lineedit_init(&sh->le, vm, echo, shell_output, sh);
	if (!sh->quiet)
		prompt(sh);
	return LM_OK;
}

static void run_line(struct shell *sh, const char *text, size_t len, bool more)
{
	enum lm_err err;

	sh->last = '\n';
	sh->line_no++;
	shell_door_words(sh);
	err = lang_eval_lines(sh->vm, sh->file, sh->line_no, text, len, more);
	sh->more = err == LM_ERR_BUSY;
	if (sh->last != '\n')
		shell_output(sh, "\n", 1);
}

void shell_feed(struct shell *sh, const char *buf, size_t len)
{
	if (sh->quiet && len) {
		sh->quiet = false;
		prompt(sh);
	}
	for (size_t i = 0; i < len && !sh->done; i++) {
		switch (lineedit_feed(&sh->le, buf[i])) {
		case LINEEDIT_LINE:
			run_line(sh, sh->le.line, strlen(sh->le.line), true);
			if (!sh->done)
				prompt(sh);
			break;
		case LINEEDIT_EOF:
			if (sh->endless)
				prompt(sh);
			else
				sh->done = true;
			break;
		default:
			break;
		}
	}
}

void shell_end_of_input(struct shell *sh)
{
	if (sh->le.len > 0 && lineedit_feed(&sh->le, '\n') == LINEEDIT_LINE)
		run_line(sh, sh->le.line, strlen(sh->le.line), true);
	if (sh->more)
		run_line(sh, "", 0, false);
	sh->done = true;
}
