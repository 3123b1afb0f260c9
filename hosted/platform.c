/*
 * The hosted side of core/platform.h: the portable core inside a Linux
 * process. There are no interrupts in a process, so masking them is a no-op
 * (inline, in core/platform.h); stacks are mmap'ed with a PROT_NONE guard page; time is CLOCK_MONOTONIC.
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/platform.h"

uint64_t plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
