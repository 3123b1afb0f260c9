/*
 * System calls the personality does not serve (tests/linux.t): number 999
 * (none), twice, and 1000: each must return -ENOSYS (-38) and the process
 * go on; the kernel logs one line per number. Exits 0 if all did.
 */
#include "lx.h"

int main(u64 *sp)
{
	long a = sys(999, 1, 2, 3), b = sys(999, 0, 0, 0), c = sys(1000, 0, 0, 0);

	say("lx-unknown: 999 -> ");
	say_num(a);
	say(", again -> ");
	say_num(b);
	say(", 1000 -> ");
	say_num(c);
	say("\n");
	return a == -38 && b == -38 && c == -38 ? 0 : 1;
}
