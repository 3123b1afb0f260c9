/* u-ungranted: calls a door routine it was not granted, then exits with the error it got (4, not found). */
	.text
	.globl _start
_start:
	mov $0x10003, %eax
	syscall
	mov %rax, %rdi
	xor %eax, %eax
	syscall
	ud2
