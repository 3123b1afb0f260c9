/* u-readkernel: reads the kernel's image: a page fault (not mapped in its space). */
	.text
	.globl _start
_start:
	movabs $0xffffffff80100000, %rax
	mov (%rax), %rax
	ud2
