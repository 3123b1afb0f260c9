/*
 * A static position-independent executable with glibc (tests/linux.t):
 * glibc relocates itself at its start (a pointer in its data here needs
 * it), sets up its thread-local storage (a __thread counter) through brk
 * and arch_prctl, and mallocs past its first heap; prints what it got.
 * Unlike the lx-* programs, it has a C library: gcc -static-pie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread int counter = 41;
static const char *greeting = "glibc static-pie:"; /* relocated at start */

int main(int argc, char **argv)
{
	char *p = malloc(200000);

	if (!p)
		return 2;
	counter++;
	strcpy(p, greeting);
	printf("%s tls %d, last argument %s, argc %d\n", p, counter, argv[argc - 1], argc);
	free(p);
	return 0;
}
