/* u-writeother: writes where trusted programs live (another process's memory): a page fault. */
	.text
	.globl _start
_start:
	movabs $0xffffd00000000000, %rax
	movq $1, (%rax)
	ud2
