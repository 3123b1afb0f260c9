/*
 * The initial stack, as a Linux program finds it (tests/linux.t): argc and
 * the argument strings, the environment, and the auxiliary vector's
 * entries (AT_PHDR pointing at its own program headers, AT_PHENT, AT_PHNUM,
 * AT_PAGESZ, AT_ENTRY its own entry point, AT_RANDOM 16 readable bytes,
 * AT_HWCAP, AT_CLKTCK, AT_SECURE 0, AT_EXECFN its path), the stack pointer
 * 16-byte aligned. Prints each argument and one line per check; exits 0
 * if every check passed. Built twice: at a fixed address and as a static
 * position-independent executable.
 */
#include "lx.h"

extern char _start[];
#define MASK 0x82830278ull /* bits 3 4 5 6 9 16 17 23 25 31: the AT_ values */

static int failed;

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void check(const char *what, int ok)
{
	say_line(ok ? "lx-auxv: ok " : "lx-auxv: FAILED ", what, "\n");
	failed |= !ok;
}

int main(u64 *sp)
{
	u64 argc = sp[0], *envp, *aux, seen = 0, vals[40] = {0};
	char **argv = (char **)(sp + 1);

	check("the stack pointer is 16-byte aligned at the entry", ((u64)sp & 15) == 0);
	for (u64 i = 0; i < argc; i++) {
		char n[24];

		say_line("lx-auxv: argv[", num_str((long)i, n), "] = ", argv[i], "\n");
	}
	check("argv ends in NULL", argv[argc] == 0);
	envp = sp + 2 + argc;
	while (*envp)
		envp++;
	check("an environment with PATH", sp[2 + argc] && ((char *)sp[2 + argc])[0] == 'P');
	for (aux = envp + 1; aux[0]; aux += 2)
		if (aux[0] < 40) {
			seen |= 1ull << aux[0];
			vals[aux[0]] = aux[1];
		}
	check("AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_HWCAP, AT_CLKTCK, AT_SECURE, AT_EXECFN",
	      (seen & MASK) == MASK);
	check("AT_PAGESZ is 4096", vals[6] == 4096);
	check("AT_PHENT is 56", vals[4] == 56);
	check("AT_ENTRY is _start", vals[9] == (u64)_start);
	check("AT_PHDR's first header is loaded (PT_PHDR or PT_LOAD)",
	      vals[3] && vals[5] && (*(unsigned *)vals[3] == 6 || *(unsigned *)vals[3] == 1));
	check("AT_SECURE is 0", vals[23] == 0);
	check("AT_CLKTCK is 100", vals[17] == 100);
	{
		unsigned char *r = (unsigned char *)vals[25];
		int nonzero = 0;

		for (int i = 0; r && i < 16; i++)
			nonzero |= r[i];
		check("AT_RANDOM's 16 bytes are not all zero", r && nonzero);
	}
	check("AT_EXECFN is argv[0]", vals[31] && argc &&
	      same((char *)vals[31], argv[0]));
	return failed;
}
