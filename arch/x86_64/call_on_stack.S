/*
 * Run a C function on another stack and come back (arch/context.h): the
 * hosted runtime's hart stacks (hosted/hart_stack.c) and the kernel's boot
 * stages (kernel/stage.c), whose scripts need a deeper stack than the boot
 * stack.
 */
	.text

/*
 * void ctx_call_on_stack(void (*fn)(void *), void *arg, uintptr_t top)
 *
 * Calls fn(arg) with the stack pointer at top (16-byte aligned, so fn
 * starts as after any call), then returns on the caller's stack. Saves
 * only rbp, which holds the caller's stack pointer across the call; every
 * other register is fn's to use as the ABI allows, so to C this is an
 * ordinary call. The CFI keeps backtraces going through the switch.
 */
	.global ctx_call_on_stack
	.type ctx_call_on_stack, @function
ctx_call_on_stack:
	.cfi_startproc
	pushq %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq %rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq %rdx, %rsp
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	movq %rbp, %rsp
	.cfi_def_cfa_register %rsp
	popq %rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.size ctx_call_on_stack, . - ctx_call_on_stack

	.section .note.GNU-stack, "", @progbits
