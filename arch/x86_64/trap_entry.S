/*
 * Entry stubs for all 256 vectors and the common path.
 *
 * Each stub makes the stack look the same (an error code, zero if the CPU
 * pushed none, then the vector number) and jumps to trap_common, which saves
 * every general register, calls trap_dispatch(frame) and resumes whatever
 * frame that returns. Resuming a different frame is how a trap switches
 * threads; see arch/x86_64/switch.c.
 */
#include "arch/vector_stubs.h"

	.text
	vector_stubs trap_stub, trap_common

	.section .rodata
	.balign 8
	.global trap_stubs
trap_stubs:
	vector_table trap_stub, VECTOR_STUB_STRIDE

	.text
	.global trap_common, trap_resume
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/*
	 * Make the backtrace of a fault continue into the code that faulted:
	 * a fake frame record (saved rbp, return address = the faulting rip).
	 */
	pushq 17 * 8(%rdi)              /* rip (struct trap_frame) */
	pushq 8 * 8(%rdi)               /* rbp */
	movq %rsp, %rbp
	call trap_dispatch
	movq %rax, %rsp
trap_resume:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp                  /* vector and error code */
	iretq

/*
 * Resume of a preempted thread (see preempt.c): entered by ctx_restore's
 * "ret" with rax = the previous thread, r12 = the saved trap frame and
 * r13 = the saved vector state, on the thread's own stack.
 */
	.global ctx_preempt_resume
ctx_preempt_resume:
	cli                             /* a voluntary switch may come with them on */
	andq $-16, %rsp
	movq %rax, %rdi
	call sched_finish_preempted
	movq %r13, %rdi
	call fpu_restore
	movq %r12, %rsp
	jmp trap_resume
