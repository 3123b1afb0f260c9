/* u-kptr: passes a kernel pointer to a door routine: refused (no door is granted), then exits with the error. */
	.text
	.globl _start
_start:
	mov $0x10001, %eax
	movabs $0xffffffff80100000, %rdi
	syscall
	mov %rax, %rdi
	xor %eax, %eax
	syscall
	ud2
