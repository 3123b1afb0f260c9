/*
 * System calls the personality does not serve (tests/linux.t): number 999
 * (none), twice, and 1000: each must return -ENOSYS (-38) and the process
 * go on; the kernel logs one line per number. Exits 0 if all did.
 */
#include "lx.h"

int main(u64 *sp)
{
	long a = sys(999, 1, 2, 3), b = sys(999, 0, 0, 0), c = sys(1000, 0, 0, 0);
	char na[24], nb[24], nc[24];

	say_line("lx-unknown: 999 -> ", num_str(a, na), ", again -> ", num_str(b, nb), ", 1000 -> ",
		 num_str(c, nc), "\n");
	return a == -38 && b == -38 && c == -38 ? 0 : 1;
}
