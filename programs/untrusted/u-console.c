/*
 * u-console: an untrusted program writing to the console through the gate
 * (the Console door's print, whose parameter is a byte buffer: the gate
 * checks the whole range is its own and copies it). Granted console:print
 * by its starter. Prints one line, then checks what the gate refuses: a
 * buffer in kernel memory, one running past its stack, one longer than the
 * IDL's range; each refusal is told apart from any result (the carry flag,
 * console_print_gated). Its exit status is the number of the first check
 * that failed, 0 if none.
 */
#include <lemmings/console.h>

#define STACK_TOP 0x00007fffffff0000ull /* kernel/process.c */

static const char line[] = "u-console: a line through the gate\n";

int main(void)
{
	const struct console_door *c = console_door_find();
	console_status st = 0xfff;

	if (!c)
		return 1;
	if (console_print(c, (const uint8_t *)line, sizeof line - 1) != LM_OK)
		return 2;
	if (console_print_gated(c, (const uint8_t *)line, 0, &st) != LM_OK || st != LM_OK)
		return 3; /* nothing to print, and nothing refused */
	if (console_print_gated(c, (const uint8_t *)0xffffffff80100000ull, 8, &st) != LM_ERR_FAULT)
		return 4; /* kernel memory */
	if (console_print_gated(c, (const uint8_t *)(STACK_TOP - 8), 16, &st) != LM_ERR_FAULT)
		return 5; /* its own for 8 bytes, then nothing */
	if (console_print_gated(c, (const uint8_t *)line, CONSOLE_TEXT_LEN_MAX + 1, &st) !=
	    LM_ERR_RANGE)
		return 6; /* longer than the IDL allows */
	return 0;
}
