/* u-ud: an invalid instruction. */
	.text
	.globl _start
_start:
	ud2
