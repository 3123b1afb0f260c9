/*
 * lx-threads: Linux threads as glibc makes them, without glibc: clone with
 * CLONE_VM | CLONE_THREAD | CLONE_SETTLS | CLONE_PARENT_SETTID |
 * CLONE_CHILD_CLEARTID (and the rest of pthread_create's flags), futex
 * waits and wakes.
 *
 * `lx-threads`: three threads, each with its own stack and TLS (FS base:
 * it checks the word it finds through %fs), add to one counter 20000
 * times each with a locked add; the first also waits on a futex until
 * the main thread sets it and wakes it; the main thread joins each by
 * waiting on its clear_child_tid word (set by CLONE_PARENT_SETTID, cleared
 * and woken by the kernel when the thread ends), then prints what it saw
 * and exits 0. A fourth thread reads a byte from a pipe that the main
 * thread writes to after a pause (the read waits meanwhile: the write must
 * get through while it does). `lx-threads group`: a thread ends the whole process with
 * exit_group(9) while the main thread waits on a futex no one wakes.
 * `lx-threads signal`: tgkill sends SIGUSR1 to a thread waiting on a
 * futex; its handler runs in that thread (gettid), the wait ends.
 * The same output and status on Linux (tests/linux-sh.t runs both).
 */
#include "lx.h"

#define CLONE_FLAGS 0x3d0f00 /* VM FS FILES SIGHAND THREAD SYSVSEM SETTLS PARENT_SETTID CHILD_CLEARTID */
#define THREADS 4 /* three adders and a pipe reader */
#define ADDERS 3
#define ADDS 20000
#define STACK 16384

struct tls {
	struct tls *self; /* %fs:0, as the psABI has it */
	u64 index;        /* %fs:8 */
};

static volatile u64 counter;
static volatile int tids[THREADS], go, tls_bad, tid_bad, pipe_fds[2];
static volatile unsigned char piped;
static struct tls tls[THREADS];
static unsigned char stacks[THREADS][STACK] __attribute__((aligned(16)));

/* clone(flags, stack, ptid, ctid, tls): the new thread starts on stack,
 * where fn and arg wait; it calls fn(arg) and ends with its result. */
long lx_clone(long flags, void *stack, volatile int *ptid, volatile int *ctid, void *tls);
__asm__(".globl lx_clone\nlx_clone:\n\tmov %rcx, %r10\n\tmov $56, %eax\n\tsyscall\n"
	"\ttest %rax, %rax\n\tjnz 1f\n\tpop %rax\n\tpop %rdi\n\tcall *%rax\n"
	"\tmov %eax, %edi\n\tmov $60, %eax\n\tsyscall\n\thlt\n1:\tret\n");

static long futex(volatile int *addr, long op, long val)
{
	return sys6(202, (long)addr, op, val, 0, 0, 0);
}

static int adder(void *arg)
{
	u64 index = (u64)arg, mine;

	__asm__ volatile("mov %%fs:8, %0" : "=r"(mine));
	if (mine != index)
		tls_bad = 1;
	if (sys(186, 0, 0, 0) == sys(39, 0, 0, 0))
		tid_bad = 1; /* a thread's tid is not its process's id */
	if (index == 0)
		while (!go)
			futex(&go, 128 /* FUTEX_WAIT_PRIVATE */, 0);
	for (int i = 0; i < ADDS; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int reader(void *arg)
{
	unsigned char b = 0;

	if (sys(0, pipe_fds[0], (long)&b, 1) == 1)
		piped = b;
	return 0;
}

static int ender(void *arg)
{
	leave(9);
}

static volatile int handled, handler_tid;

static void usr1(long sig)
{
	handler_tid = (int)sys(186, 0, 0, 0);
	handled = 1;
}

/* Waits until its handler ran: a signal interrupts the wait (EINTR), or
 * came before it (the word is 1 then: EAGAIN). */
static int waiter(void *arg)
{
	while (!handled)
		futex(&handled, 128, 0);
	return 0;
}

static long start(int i, int (*fn)(void *));

static int signal_a_thread(void)
{
	struct { long sec, nsec; } pause = {0, 50000000};
	int t, tid;

	if (lx_sigaction(10, usr1, 0, 0, 0) || start(0, waiter) <= 0)
		return 2;
	tid = tids[0]; /* CLONE_PARENT_SETTID's; cleared at its end */
	sys(35, (long)&pause, 0, 0); /* it waits by now, most likely */
	if (sys(234, sys(39, 0, 0, 0), tids[0], 10)) /* tgkill */
		return 3;
	while ((t = tids[0]) != 0)
		futex(&tids[0], 0, t);
	say(handler_tid == tid && tid != sys(39, 0, 0, 0) ? "signal: handled in the thread\n"
				     : "signal: handled in another thread\n");
	return 0;
}

static long start(int i, int (*fn)(void *))
{
	u64 *top = (u64 *)(stacks[i] + STACK);

	top[-2] = (u64)fn;
	top[-1] = (u64)i;
	tls[i] = (struct tls){&tls[i], (u64)i};
	return lx_clone(CLONE_FLAGS, top - 2, &tids[i], &tids[i], &tls[i]);
}

int main(u64 *sp)
{
	char n[24], m[24];
	int joined = 0;

	if (sp[0] > 1 && ((char *)sp[2])[0] == 's')
		return signal_a_thread();
	if (sp[0] > 1) { /* group */
		static volatile int never;

		if (start(0, ender) <= 0)
			return 2;
		for (;;)
			futex(&never, 128, 0);
	}
	if (sys(293, (long)pipe_fds, 0, 0))
		return 3;
	for (int i = 0; i < THREADS; i++)
		if (start(i, i < ADDERS ? adder : reader) <= 0)
			return 2;
	go = 1;
	futex(&go, 129 /* FUTEX_WAKE_PRIVATE */, 1);
	{
		struct { long sec, nsec; } pause = {0, 50000000};
		unsigned char b = 0x5a;

		sys(35, (long)&pause, 0, 0); /* the reader waits meanwhile */
		sys(1, pipe_fds[1], (long)&b, 1);
	}
	for (int i = 0; i < THREADS; i++) {
		int t;

		/* FUTEX_WAIT, not private: the kernel's wake at a thread's
		 * end is a shared futex's (as glibc's pthread_join waits) */
		while ((t = tids[i]) != 0)
			futex(&tids[i], 0, t);
		joined++;
	}
	say_line("threads: counter ", num_str((long)counter, n), tls_bad ? ", tls wrong" : ", tls right",
		 tid_bad ? ", tids wrong" : ", tids right", piped == 0x5a ? ", pipe right" : ", pipe wrong",
		 ", joined ", num_str(joined, m), "\n");
	return 0;
}
