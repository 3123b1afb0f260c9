/*
 * Saving a preempted thread.
 *
 * The interrupt frame lives on the IRQ stack, which the next interrupt will
 * reuse, so the thread's complete state moves to its own stack, below the
 * 128-byte red zone that the ABI lets it use without moving its stack
 * pointer:
 *
 *   interrupted rsp
 *   - 128            red zone (untouched)
 *   struct trap_frame (all general registers, rip, rflags...)
 *   vector state (XSAVE area, 64-byte aligned)
 *   switch frame     resume address = ctx_preempt_resume, r12 = trap frame,
 *                    r13 = vector state   <- thread->saved_rsp
 *   room for sched_finish() when it resumes (FINISH_DEPTH)
 *
 * The thread then looks like any switched-out thread, which the scheduler
 * may set aside (sched_preempt). ctx_preempt_resume (trap_entry.S)
 * restores the vector state and returns through trap_resume. Whether the
 * thread has room for this on its stack is for the caller to check
 * (kernel/trap.c stops a thread that has not, as overflowing).
 */
#include <stddef.h>

#include "arch/context.h"
#include "arch/fpu.h"
#include "arch/preempt.h"
#include "lib/string.h"

#define RED_ZONE 128
/* What ctx_preempt_resume's call of sched_finish() may use below the saved
 * state when the thread resumes: freeing the stack of a thread that just
 * ended can go down through kstack_free to a TLB shootdown (about 400
 * bytes, by gcc's -fstack-usage). */
#define FINISH_DEPTH 512

extern char ctx_preempt_resume[];

uint64_t preempt_stack_need(void)
{
	return RED_ZONE + sizeof(struct trap_frame) + 16 + fpu_area_size + 64 +
	       CTX_FRAME_SIZE + 16 + FINISH_DEPTH;
}

uint64_t preempt_save(const struct trap_frame *f)
{
	uintptr_t sp, area;
	struct trap_frame *saved;
	uint64_t *ctx;

	sp = (f->rsp - RED_ZONE - sizeof *saved) & ~(uintptr_t)15;
	saved = (struct trap_frame *)sp;
	area = (sp - fpu_area_size) & ~(uintptr_t)63;
	ctx = (uint64_t *)((area - CTX_FRAME_SIZE) & ~(uintptr_t)15);

	memcpy(saved, f, sizeof *saved);
	fpu_save((void *)area);
	ctx[0] = CTX_MXCSR_DEFAULT | (uint64_t)CTX_FCW_DEFAULT << 32;
	ctx[1] = ctx[2] = 0;                       /* r15, r14 */
	ctx[3] = area;                             /* r13 */
	ctx[4] = (uint64_t)(uintptr_t)saved;       /* r12 */
	ctx[5] = 0;                                /* rbx */
	ctx[6] = 0;                                /* rbp */
	ctx[7] = (uint64_t)(uintptr_t)ctx_preempt_resume;
	return (uint64_t)(uintptr_t)ctx;
}
