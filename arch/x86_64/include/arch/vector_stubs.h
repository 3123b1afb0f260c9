/*
 * Assembly macros for the 256 vectors' entry stubs and their address
 * tables, shared by the kernel's stubs (trap_entry.S) and ring 3's
 * (entry.S). Included by assembly only.
 *
 * The stubs are laid out every `stride` bytes from the first, prefix_0, so
 * that the table needs no label per stub.
 */
#ifndef ARCH_X86_64_VECTOR_STUBS_H
#define ARCH_X86_64_VECTOR_STUBS_H

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

#define VECTOR_STUB_STRIDE 16

/* prefix_0 and on, one stub a vector, VECTOR_STUB_STRIDE bytes apart: make
 * the stack look the same for every vector (an error code, zero if the CPU
 * pushed none, then the vector number) and go to target. */
	.macro vector_stubs prefix, target
	.balign VECTOR_STUB_STRIDE
\prefix\()_0:
	.set .Lvector, 0
	.rept 256
	.balign VECTOR_STUB_STRIDE
	.if HAS_ERROR(.Lvector) == 0
	pushq $0
	.endif
	pushq $.Lvector
	jmp \target
	.set .Lvector, .Lvector + 1
	.endr
	.endm

/* The addresses of the 256 stubs from prefix_0, stride bytes apart. */
	.macro vector_table prefix, stride
	.set .Lvector, 0
	.rept 256
	.quad \prefix\()_0 + \stride * .Lvector
	.set .Lvector, .Lvector + 1
	.endr
	.endm

#endif
