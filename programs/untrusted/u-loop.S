/* u-loop: loops forever; the timer takes the hart back every time slice. */
	.text
	.globl _start
_start:
1:	jmp 1b
