/* u-good: counts to a thousand on its stack, then exits with status 0. */
	.text
	.globl _start
_start:
	sub $16, %rsp
	movq $0, (%rsp)
1:	addq $1, (%rsp)
	cmpq $1000, (%rsp)
	jne 1b
	xor %edi, %edi
	xor %eax, %eax
	syscall
	ud2
