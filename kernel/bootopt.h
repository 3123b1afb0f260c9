/*
 * Boot options: `key=value` words on the kernel command line.
 *
 * Each module declares the options it reads beside its code:
 *
 *	BOOTOPT(test, "run the in-kernel tests whose suite.name matches this glob");
 *
 * which puts the key and its help text in a linker section. bootopt_parse
 * checks every word of the command line against that list: an unknown key
 * or a malformed word gets a one-line warning (and is ignored), never a crash.
 */
#ifndef KERNEL_BOOTOPT_H
#define KERNEL_BOOTOPT_H

#include <stdbool.h>

struct bootopt {
	const char *key;
	const char *help;
};

#define BOOTOPT(name, help)                                                   \
	static const struct bootopt bootopt_##name                           \
		__attribute__((used, section("lm_bootopts"), aligned(8))) = {#name, help}

void bootopt_parse(const char *cmdline);
/* The value of an option given on the command line ("" for a bare key),
 * or NULL if absent. The last occurrence wins. */
const char *bootopt_get(const char *key);
/* Print the known options with their help (for the "help" option). */
void bootopt_print_known(void);

#endif
