/*
 * The hosted side of core/platform.h: the portable core inside a Linux
 * process. There are no interrupts in a process, so masking them is a no-op;
 * stacks are mmap'ed with a PROT_NONE guard page; time is CLOCK_MONOTONIC.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "core/platform.h"

bool plat_irq_save(void)
{
	return false;
}

void plat_irq_restore(bool on)
{
}

uintptr_t plat_stack_alloc(unsigned pages)
{
	size_t len = (size_t)(pages + 1) * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	if (mprotect(p, 4096, PROT_NONE)) {
		munmap(p, len);
		return 0;
	}
	return (uintptr_t)p + 4096;
}

void plat_stack_free(uintptr_t base, unsigned pages)
{
	munmap((void *)(base - 4096), (size_t)(pages + 1) * 4096);
}

uint64_t plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
