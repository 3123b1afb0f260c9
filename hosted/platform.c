/*
 * The hosted side of core/platform.h: the portable core inside a Linux
 * process. There are no interrupts in a process, so masking them is a no-op
 * (inline, in core/platform.h); stacks are mmap'ed with a PROT_NONE guard
 * page (hosted/stack.c); time is CLOCK_MONOTONIC. It also raises the
 * process's descriptor limit, for the Net door's sockets.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "core/platform.h"
#include "hosted/hosted.h"

/* Called directly on the thread's stack, not on the hart stack
 * (hosted/hart_stack.c), as it is on the scheduler's and timers' fast
 * paths: glibc's clock_gettime calls the vDSO, which took 48 bytes of
 * stack below its caller's, return address included (measured with glibc
 * 2.36 on Linux x86-64, clocksource tsc). A clocksource the vDSO cannot
 * read makes it fall back to the system call instruction (not measured
 * here). hosted_hart_stack.little_stack_now_ns calls it with 512 bytes
 * left. */
uint64_t plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hosted_raise_descriptor_limit(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}
