/* libFuzzer: any bytes as a script for a fresh machine, then a second
 * script on the same machine (what survived the first: its definitions,
 * its variables), then all the bytes again as keys typed into a shell:
 * through the line editor (lang/lineedit.c, with its completion from the
 * machine's words) and a line at a time into lang_eval_lines, as the
 * hosted shell does. Every input either runs or gets one error line, which
 * must be "SCRIPT:LINE:COL: error: ..." with a line and column inside
 * that script ("first", "second" or "shell"). Nothing may crash: a script can only
 * reach its stacks and its data space, no hardware word exists here, and a
 * step budget ends every endless loop (a return stack of 64 KiB ends a
 * recursion before the budget does, so that path is fuzzed too). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted/lang_mem.h"
#include "lang/lang.h"
#include "lang/lineedit.h"

#define BUDGET 20000

static struct lang_vm vm;
static struct lang_mem mem;
static size_t written;

static void check(int ok)
{
	if (!ok) {
		fprintf(stderr, "lang_fuzz: check failed; the error line was: %s\n", vm.error);
		abort();
	}
}

static void sink(void *ctx, const char *s, size_t len)
{
	written += len;
}

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

/* The scripts' lines: an error may be in either (a word of the first
 * that the second runs). */
static const char *const names[3] = { "first", "second", "shell" };
static size_t lines[3];

static void check_result(int which, enum lm_err err)
{
	unsigned line = 0, col = 0;
	char file[8] = "";
	int n = 0, k;

	if (err == LM_OK || err == LM_ERR_BUSY) {
		check(vm.error[0] == '\0');
		return;
	}
	check(err == LM_ERR_FORMAT);
	check(sscanf(vm.error, "%6[a-z]:%u:%u: error: %n", file, &line, &col, &n) == 3 && n > 0);
	for (k = 0; k <= which && strcmp(file, names[k]) != 0; k++)
		;
	check(k <= which);
	check(line >= 1 && line <= lines[k] && col >= 1);
	check(vm.error[n] != '\0');
	check(vm.regs.sp == vm.regs.sbase);
	check(!vm.defining && !vm.line_open && vm.nctl == 0);
}

static void eval_checked(int which, const uint8_t *data, size_t size)
{
	lines[which] = count_lines(data, size);
	check_result(which, lang_eval(&vm, names[which], (const char *)data, size));
}

/* The bytes as keys: each line the editor gives goes to the machine, a
 * definition left open waits for the next; at the end what is open is an
 * error, as when a shell's input ends. */
static void shell_checked(const uint8_t *data, size_t size)
{
	static struct lineedit le;

	lines[2] = 0;
	lineedit_init(&le, &vm, true, sink, NULL);
	for (size_t i = 0; i < size; i++) {
		enum lineedit_event ev = lineedit_feed(&le, (char)data[i]);

		if (ev == LINEEDIT_EOF)
			break;
		if (ev == LINEEDIT_LINE) {
			lines[2]++;
			check(strlen(le.line) <= LINEEDIT_MAX);
			check_result(2, lang_eval_lines(&vm, "shell", (uint32_t)lines[2], le.line,
							strlen(le.line), true));
		}
	}
	lines[2]++;
	check_result(2, lang_eval_lines(&vm, "shell", (uint32_t)lines[2], "", 0, false));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t half;

	if (!mem.code && lang_mem_alloc(&mem, 256 * 1024, 64 * 1024) != LM_OK)
		abort();
	check(lang_init(&vm, &mem, sink, NULL) == LM_OK);
	lang_set_budget(&vm, BUDGET);
	/* The first part, up to a NUL byte if there is one, then the rest. */
	for (half = 0; half < size && data[half] != 0; half++)
		;
	eval_checked(0, data, half);
	if (half < size)
		eval_checked(1, data + half + 1, size - half - 1);
	shell_checked(data, size);
	return 0;
}
