/* u-divide: divides by zero. */
	.text
	.globl _start
_start:
	xor %ecx, %ecx
	div %ecx
	ud2
