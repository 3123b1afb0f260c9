/* New threads' first switch frame (layout in context.h). */
#include <stdint.h>

#include "arch/context.h"

extern char ctx_thread_entry[];

uint64_t ctx_init_stack(uintptr_t top)
{
	uint64_t *f = (uint64_t *)((top - CTX_FRAME_SIZE) & ~(uintptr_t)15);

	f[0] = CTX_MXCSR_DEFAULT | (uint64_t)CTX_FCW_DEFAULT << 32;
	for (int i = 1; i <= 6; i++)
		f[i] = 0; /* r15 .. rbp; rbp = 0 ends backtraces */
	f[7] = (uint64_t)(uintptr_t)ctx_thread_entry;
	return (uint64_t)(uintptr_t)f;
}
