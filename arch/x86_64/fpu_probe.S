/*
 * Helpers for the preemption test (preempt_test.c): kernel C code may not
 * touch vector registers, so filling and checking them is done here.
 */
	.text

/* void fpu_probe_fill(uint64_t pattern): xmm0..xmm15 = pattern + i */
	.global fpu_probe_fill
fpu_probe_fill:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	leaq \i(%rdi), %rax
	movq %rax, %xmm\i
	pinsrq $1, %rax, %xmm\i
	.endr
	ret

/* int fpu_probe_check(uint64_t pattern): how many of xmm0..15 differ */
	.global fpu_probe_check
fpu_probe_check:
	xorl %ecx, %ecx
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	leaq \i(%rdi), %rdx
	movq %xmm\i, %rax
	cmpq %rdx, %rax
	setne %r8b
	movzbl %r8b, %r8d
	addl %r8d, %ecx
	pextrq $1, %xmm\i, %rax
	cmpq %rdx, %rax
	setne %r8b
	movzbl %r8b, %r8d
	addl %r8d, %ecx
	.endr
	movl %ecx, %eax
	ret
