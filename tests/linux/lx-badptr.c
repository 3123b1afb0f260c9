/*
 * Bad pointers to read and write (tests/linux.t): each call must return
 * -EFAULT (-14), not fault the kernel or end the process: a buffer at
 * page zero, in the kernel's half, unmapped, a read into the program's
 * own code (mapped, not writable), a write from a range running off the
 * end of the stack, a path at a bad address. Exits 0 if all did.
 */
#include "lx.h"

static int failed;

static void expect(const char *what, long got)
{
	char n[24];

	say_line(got == -14 ? "lx-badptr: EFAULT " : "lx-badptr: WRONG ", what, " -> ",
		 num_str(got, n), "\n");
	failed |= got != -14;
}

extern char _start[];

int main(u64 *sp)
{
	long zero = sys(2, (long)"/dev/zero", 0, 0); /* open */

	expect("read into page zero", sys(0, zero, 16, 8));
	expect("read into the kernel's half", sys(0, zero, (long)0xffff800000000000ull, 8));
	expect("read into unmapped memory", sys(0, zero, 0x300000000000, 8));
	expect("read into its own code", sys(0, zero, (long)_start, 8));
	expect("write from page zero", sys(1, 1, 0, 8));
	expect("write from the kernel's half", sys(1, 1, (long)0xffffffff80100000ull, 8));
	expect("write running off the stack's top", sys(1, 1, (long)0x7fffffffeff8, 64));
	expect("open of a path at a bad address", sys(2, 0x1234, 0, 0));
	say(failed ? "lx-badptr: some call did not fail with EFAULT\n" : "lx-badptr: all EFAULT\n");
	return failed;
}
