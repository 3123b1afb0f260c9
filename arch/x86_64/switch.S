/*
 * The context switch and its relatives (see context.h for the frame).
 */
	/* With the scheduler's fast paths (core/sched.h, SCHED_FAST). */
	.section .text.hot.sched, "ax", @progbits

/* Save the frame below the resume address on top of the stack, and its
 * address at (%rdi): both switches that save one. */
.macro save_frame
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)                  /* rounding mode, exception masks */
	fnstcw 4(%rsp)                  /* x87 precision and rounding */
	movq %rsp, (%rdi)
.endm

/* Is %rcx the address \entry? (flags set for je/jne). The kernel, linked
 * in the top two GiB, compares with it as a 32-bit immediate; the hosted
 * runtime, position-independent, loads it into %rdx first. */
.macro cmp_entry entry
#ifdef LM_KERNEL
	cmpq $\entry, %rcx
#else
	leaq \entry(%rip), %rdx
	cmpq %rdx, %rcx
#endif
.endm

/* Restore the frame at %rsp and resume it, with %rax (prev) kept. The
 * three resume addresses of the fast paths (a waiter's, a yielder's, a
 * new thread's) are reached by direct jumps, which an emulator chains to
 * like any branch, where it looks an indirect jump's target up each time;
 * any other by an indirect jump. rcx, rdx and rdi are free: every resume
 * address takes them as dead (a call's return, ctx_thread_entry,
 * ctx_wait_entry, ctx_yield_entry, ctx_preempt_resume). */
.macro resume_frame
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	movq 8(%rsp), %r15
	movq 16(%rsp), %r14
	movq 24(%rsp), %r13
	movq 32(%rsp), %r12
	movq 40(%rsp), %rbx
	movq 48(%rsp), %rbp
	movq 56(%rsp), %rcx
	addq $64, %rsp
	cmp_entry ctx_wait_entry
	jne 1f
	movq %rax, %rdi
	jmp sched_wait_resume
1:	cmp_entry ctx_yield_entry
	jne 2f
	movq %rax, %rdi
	jmp sched_resume
2:	cmp_entry ctx_thread_entry
	je ctx_thread_entry
	jmpq *%rcx
.endm

/* A switch made for a tail call (context.h): save the callee-saved
 * registers and the caller's return address as the frame, with \entry as
 * its resume address, and resume the frame at %rsi, passing %rdx (prev). */
.macro switch_out entry
#ifdef LM_KERNEL
	pushq $\entry
#else
	leaq \entry(%rip), %rcx
	pushq %rcx
#endif
	save_frame
	movq %rdx, %rax
	movq %rsi, %rsp
	resume_frame
.endm

/* struct thread *ctx_switch(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev) */
	.global ctx_switch, ctx_jump, ctx_restore
	.p2align 6                      /* one cache line, wherever the code before ends */
ctx_switch:
	save_frame
	movq %rsi, %rsp
	movq %rdx, %rax
ctx_restore:
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret                             /* rax = prev */

/* void ctx_jump(uint64_t new_rsp, struct thread *prev): the scheduler's
 * switch away from a thread that saves nothing (it ended, a wait's
 * ctx_wait_switch saved it, or an interrupt's exit did). Restores as
 * ctx_restore does, but resumes with a jump rather than a return, as
 * ctx_switch_inline does (context.h says why): the return stack would
 * predict this thread's caller, never the one resumed. */
ctx_jump:
	movq %rdi, %rsp
	movq %rsi, %rax
	resume_frame

/* uint64_t ctx_wait_switch(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev):
 * a wait's switch (context.h). Its frame's resume address is
 * ctx_wait_entry, above which lies its caller's return address; it
 * resumes new_rsp as ctx_jump does. */
	.global ctx_wait_switch, ctx_wait_entry, ctx_yield_switch, ctx_yield_entry
ctx_wait_switch:
	switch_out ctx_wait_entry

/* void ctx_yield_switch(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev):
 * a yield's, the same with ctx_yield_entry. */
ctx_yield_switch:
	switch_out ctx_yield_entry

/* A waiter resumed: rax = prev; the stack as at ctx_wait_switch's entry,
 * so that sched_wait_resume returns to ctx_wait_switch's caller. */
ctx_wait_entry:
	movq %rax, %rdi
	jmp sched_wait_resume

/* A yielder resumed, the same way: sched_resume returns to
 * ctx_yield_switch's caller. */
ctx_yield_entry:
	movq %rax, %rdi
	jmp sched_resume

/* First resume of a new thread: rax = prev. The stack is 16-byte aligned
 * here (ctx_init_stack), as a call expects. */
	.global ctx_thread_entry
ctx_thread_entry:
	movq %rax, %rdi
	call thread_start
	ud2

	.text

/* int ctx_setjmp(ctx_jmpbuf jb) */
	.global ctx_setjmp, ctx_longjmp
ctx_setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rdx              /* stack pointer after our return */
	movq %rdx, 48(%rdi)
	movq (%rsp), %rdx               /* our return address */
	movq %rdx, 56(%rdi)
	xorl %eax, %eax
	ret

/* void ctx_longjmp(ctx_jmpbuf jb, int value) */
ctx_longjmp:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movl %esi, %eax
	jmpq *56(%rdi)

	.section .note.GNU-stack, "", @progbits
