/* u-privileged: a privileged instruction (hlt): a general protection fault. */
	.text
	.globl _start
_start:
	hlt
	ud2
