/*
 * Ring 3 programs for kernel/process_family_test.c, each copied to 0x400000
 * and run under the test's personality, whose system call numbers are
 * Linux's: 39 getpid, 110 getppid, 186 gettid, 56 clone a thread (rip rdi,
 * rsp rsi, FS base rdx), 57 fork, 59 exec (rdi: which program), 61 wait
 * for a child (rdi: its id or 0; status in rax, id in rdx), 60 exit the
 * thread, 231 exit the process, 35 block in the kernel until the process
 * ends, 36 how many threads the process has. Errors come back as minus the lm_err code. Position-independent:
 * data lives on the stack, whose top is at 0x7fffffff0000 (16 KiB).
 *
 * Each program is bytes between two labels, in .rodata: the kernel never
 * runs them.
 */
#define STACK_TOP 0x7fffffff0000
#define SLOT (STACK_TOP - 4096)      /* a word the threads share */

	.section .rodata, "a"

/* fork: the child sees the parent's registers and memory, writes its own
 * copy, checks getppid and exits 7; the parent waits for it, sees its own
 * memory unchanged and the status, finds no second child, exits 100 + 7. */
	.globl pf_fork, pf_fork_end
pf_fork:
	mov $39, %eax
	syscall
	mov %rax, %r13			/* the parent's id */
	mov $0x11, %r12
	movq $0x33, -64(%rsp)
	mov $57, %eax
	syscall
	test %rax, %rax
	js 9f
	jz 2f
	mov %rax, %rbx			/* the child's id */
	mov %rax, %rdi
	mov $61, %eax
	syscall
	cmp %rbx, %rdx
	jne 9f
	cmpq $0x33, -64(%rsp)
	jne 9f
	mov %rax, %r14			/* its status */
	xor %edi, %edi
	mov $61, %eax
	syscall
	cmp $-4, %rax			/* no child left: LM_ERR_NOENT */
	jne 9f
	lea 100(%r14), %rdi
	mov $231, %eax
	syscall
2:	cmp $0x11, %r12
	jne 9f
	cmpq $0x33, -64(%rsp)
	jne 9f
	movq $0x44, -64(%rsp)
	mov $110, %eax
	syscall
	cmp %r13, %rax
	jne 9f
	mov $39, %eax
	syscall
	cmp %r13, %rax
	je 9f				/* its own id, not the parent's */
	mov $7, %edi
	mov $60, %eax
	syscall
9:	mov $99, %edi
	mov $231, %eax
	syscall
pf_fork_end:

/* threads: the first puts a word where the second's FS base points and
 * starts it, then ends; the second reads the word through FS, checks its
 * tid is not the process's id, waits to be the last, and ends, with 5 if all was well. */
	.globl pf_threads, pf_threads_end
pf_threads:
	movabs $SLOT, %rbx
	movq $0x5eed, 8(%rbx)
	mov $39, %eax
	syscall
	mov %rax, %r13			/* the process's id, shared by register copy */
	lea 1f(%rip), %rdi
	movabs $(STACK_TOP - 8192), %rsi
	mov %rbx, %rdx
	mov $56, %eax
	syscall
	test %rax, %rax
	jle 9f
	xor %edi, %edi
	mov $60, %eax			/* the first thread ends; the process goes on */
	syscall
1:	cmpq $0x5eed, %fs:8
	jne 9f
	mov $186, %eax
	syscall
	cmp %r13, %rax
	je 9f
	mov $39, %eax
	syscall
	cmp %r13, %rax
	jne 9f
2:	mov $36, %eax			/* wait until the first has ended */
	syscall
	cmp $1, %rax
	jne 2b
	mov $5, %edi
	mov $60, %eax
	syscall
9:	mov $99, %edi
	mov $231, %eax
	syscall
pf_threads_end:

/* exit_group: two threads loop in ring 3, one blocks in the kernel; the
 * first exits the process with 3, which ends them all. */
	.globl pf_group, pf_group_end
pf_group:
	lea 1f(%rip), %rdi
	movabs $(STACK_TOP - 8192), %rsi
	xor %edx, %edx
	mov $56, %eax
	syscall
	lea 1f(%rip), %rdi
	movabs $(STACK_TOP - 10240), %rsi
	mov $56, %eax
	syscall
	lea 2f(%rip), %rdi
	movabs $(STACK_TOP - 12288), %rsi
	mov $56, %eax
	syscall
	mov $3, %edi
	mov $231, %eax
	syscall
1:	jmp 1b
2:	mov $35, %eax
	syscall
	jmp 2b
pf_group_end:

/* kill: a thread blocks in the kernel, the first loops; killed from outside. */
	.globl pf_blocked, pf_blocked_end
pf_blocked:
	lea 2f(%rip), %rdi
	movabs $(STACK_TOP - 8192), %rsi
	xor %edx, %edx
	mov $56, %eax
	syscall
1:	jmp 1b
2:	mov $35, %eax
	syscall
	jmp 2b
pf_blocked_end:

/* exec: a thread loops; an exec of a program that does not exist fails
 * and this image goes on; then program 0 (pf_image) replaces it. */
	.globl pf_exec, pf_exec_end
pf_exec:
	lea 1f(%rip), %rdi
	movabs $(STACK_TOP - 8192), %rsi
	xor %edx, %edx
	mov $56, %eax
	syscall
	mov $77, %edi
	mov $59, %eax
	syscall
	cmp $-4, %rax			/* no such program: LM_ERR_NOENT */
	jne 9f
	xor %edi, %edi
	mov $59, %eax
	syscall
9:	mov $99, %edi			/* never reached after a good exec */
	mov $231, %eax
	syscall
1:	jmp 1b
pf_exec_end:

/* The image exec puts in place: its registers start at zero; exits 42. */
	.globl pf_image, pf_image_end
pf_image:
	test %r12, %r12
	jnz 9f
	mov $42, %edi
	mov $60, %eax			/* its only thread: the process's status */
	syscall
9:	mov $99, %edi
	mov $231, %eax
	syscall
pf_image_end:

/* A fork bomb, bounded so that it ends: every process forks while its
 * count (inherited) lasts, ten deep: 1024 processes if every fork
 * succeeded, more than the table holds; then it waits for its children and
 * exits 1 if a fork of its own or of one of theirs failed, else 0. */
	.globl pf_bomb, pf_bomb_end
pf_bomb:
	mov $10, %r12
	xor %r14, %r14
1:	test %r12, %r12
	jz 3f
	dec %r12
	mov $57, %eax
	syscall
	test %rax, %rax
	jns 1b				/* the child, or the parent: go on */
	mov $1, %r14			/* refused */
	jmp 1b
3:	xor %edi, %edi
	mov $61, %eax
	syscall
	test %rax, %rax
	js 4f				/* no child left */
	or %rax, %r14
	jmp 3b
4:	mov %r14, %rdi
	mov $231, %eax
	syscall
pf_bomb_end:
