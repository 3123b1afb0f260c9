/*
 * The one instruction sequence the hart stack needs (hosted/hart_stack.c):
 * run a C function on another stack and come back.
 */
	.text

/*
 * void hosted_call_on_stack(void (*fn)(void *), void *arg, uintptr_t top)
 *
 * Calls fn(arg) with the stack pointer at top (16-byte aligned, so fn
 * starts as after any call), then returns on the caller's stack. Saves
 * only rbp, which holds the caller's stack pointer across the call; every
 * other register is fn's to use as the ABI allows, so to C this is an
 * ordinary call. The CFI keeps backtraces going through the switch.
 */
	.global hosted_call_on_stack
	.type hosted_call_on_stack, @function
hosted_call_on_stack:
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
	.size hosted_call_on_stack, . - hosted_call_on_stack

	.section .note.GNU-stack, "", @progbits
