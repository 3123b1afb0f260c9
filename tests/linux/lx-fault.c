/*
 * A Linux program that faults (tests/linux.t): it says so, then writes to
 * page zero. The kernel reports the page fault in one line and ends it;
 * everything else runs on.
 */
#include "lx.h"

int main(u64 *sp)
{
	say("lx-fault: writing to address 0\n");
	*(volatile int *)0 = 1;
	say("lx-fault: still running (wrong)\n");
	return 0;
}
