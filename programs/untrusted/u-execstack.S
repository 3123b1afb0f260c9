/* u-execstack: writes a ret on its stack and jumps there: no-execute stops it. */
	.text
	.globl _start
_start:
	lea -16(%rsp), %rax
	movb $0xc3, (%rax)
	jmp *%rax
