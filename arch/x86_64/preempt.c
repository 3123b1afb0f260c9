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
 * The thread then looks like any switched-out thread. ctx_preempt_resume
 * (trap_entry.S) restores the vector state and returns through trap_resume.
 * A thread without room for this on its stack is stopped as overflowing.
 */
#include <stddef.h>

#include "arch/context.h"
#include "arch/cpu.h"
#include "arch/fpu.h"
#include "arch/preempt.h"
#include "core/hart.h"
#include "core/thread.h"
#include "kernel/fault.h"
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

struct trap_frame *preempt_irq_exit(struct trap_frame *f)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current, *next;
	uintptr_t sp, area;
	struct trap_frame *saved;
	uint64_t *ctx;

	if (!(f->rflags & RFLAGS_IF) || !sched_should_preempt())
		return f;
	/* Interrupted off its own stack (cannot happen for threads): leave it. */
	if (f->rsp <= cur->stack_base || f->rsp > cur->stack_top)
		return f;
	if (f->rsp - cur->stack_base < preempt_stack_need() + 64)
		fault_kill_current("stack overflow: no room to save its state "
				   "when preempted", f->rip, f->rbp);

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
	cur->saved_rsp = (uint64_t)(uintptr_t)ctx;

	cur->state = THREAD_READY;
	cur->flags |= THREAD_REQUEUE_HEAD;
	next = sched_pick_next(h->id, cur);
	if (next == cur) {
		cur->state = THREAD_RUNNING;
		cur->flags &= ~THREAD_REQUEUE_HEAD;
		return f;
	}
	next->state = THREAD_RUNNING;
	next->hart = h->id;
	sched_set_current(h, next);
	ctx_jump(next->saved_rsp, cur);
}
