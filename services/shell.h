/*
 * The init language's interactive shell, shared by the kernel's serial
 * console (kernel/shell.c) and lemmings-hosted's standard input
 * (hosted/shell.c): bytes in through the line editor (lang/lineedit.c),
 * each finished line into one machine (lang/), and the words that look at
 * and change the system through its doors (services/shell.c), door
 * routines called by name among them (services/doorcall.c).
 *
 * A platform sets the shell up in three steps: shell_init (where output
 * goes), then a machine made with shell_output and the shell as its
 * output (so that the shell's words find the shell), then shell_attach.
 * One thread uses a shell; no locking.
 */
#ifndef SERVICES_SHELL_H
#define SERVICES_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/door.h>

#include "lang/lang.h"
#include "lang/lineedit.h"

#define SHELL_ROUTINES_MAX 256

/* A door routine reachable by name: what its word's helper calls. */
struct shell_routine {
	const struct lm_routine_desc *desc;
	void *fn;
};

struct shell {
	struct lang_vm *vm;
	struct lineedit le;
	lang_write_fn *write;  /* the platform's output */
	void *write_ctx;
	const char *file;      /* names the input in error lines ("console") */
	const char *platform_help; /* the platform's own words, for help */
	bool endless;          /* bye and Ctrl-D do not end it (the kernel's) */
	bool quiet;            /* no prompt until the first key: the console's
				* other output must not follow a bare "> " */
	/* The platform's test of a door call's pointer argument (NULL: the
	 * machine's memory range alone decides); see services/doorcall.c. */
	bool (*pointer_ok)(uint64_t addr);
	bool more, done;
	uint32_t line_no;
	char last;             /* the last byte written */
	uint64_t doors_seen;   /* hallway_count() when door words were last made */
	struct shell_routine routines[SHELL_ROUTINES_MAX];
	size_t nroutines;
};

void shell_init(struct shell *sh, lang_write_fn *write, void *ctx, const char *file);

/* The lang_write_fn the machine must be made with (ctx: the shell). */
void shell_output(void *ctx, const char *s, size_t len);

/* Add the shell's words (and the door words of the doors published so far)
 * to vm, made with shell_output; `extra` are the platform's own words,
 * described in platform_help. Shows the first prompt. */
enum lm_err shell_attach(struct shell *sh, struct lang_vm *vm, bool echo,
			 const struct lang_word_def *extra, size_t nextra,
			 const char *platform_help);

/* Bytes typed: lines run as they end. */
void shell_feed(struct shell *sh, const char *buf, size_t len);

/* The end of the input: a last unfinished line runs, an open definition
 * is an error. */
void shell_end_of_input(struct shell *sh);

/* The shell from a helper (regs is the first member of its machine). */
struct shell *shell_of(struct lang_regs *regs);

/* Words for the door routines of doors published since the last call
 * (services/doorcall.c); shell_feed calls it before each line. */
void shell_door_words(struct shell *sh);

/* The doors word: every published door, callable or not (doorcall.c). */
int shell_list_doors(struct lang_regs *regs);

/* Write formatted text to the shell's output. */
void shell_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
