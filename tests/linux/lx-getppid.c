/*
 * getppid in a loop, for the round-trip benchmark (kernel/linux/
 * linux_bench.c): as many calls as its first argument says (none without
 * one), then exit 0; 1 if a call gave something other than the first.
 */
#include "lx.h"

int main(u64 *sp)
{
	const char *arg = sp[0] > 1 ? (const char *)sp[2] : "0";
	long n = 0, first = sys(110, 0, 0, 0);

	while (*arg >= '0' && *arg <= '9')
		n = n * 10 + (*arg++ - '0');
	for (long i = 0; i < n; i++)
		if (sys(110, 0, 0, 0) != first)
			return 1;
	return 0;
}
