/*
 * Faults in the hosted runtime: a Lemmings thread that touches memory it
 * must not (SIGSEGV, SIGBUS), executes an invalid instruction (SIGILL) or
 * divides by zero (SIGFPE) is stopped and reported, and the other threads
 * go on, as in the kernel (kernel/fault.c).
 *
 * The signal arrives on the hart's alternate signal stack (its thread's
 * stack may be the thing that overflowed). The handler reports, then ends
 * the thread with thread_exit, which switches to the hart's next thread and
 * never returns to the handler. That is sound because the handler runs with
 * SA_NODEFER (nothing stays blocked) and Linux knows a signal stack is in
 * use only while the stack pointer is inside it. A fault in the runtime's
 * own code (an idle thread, a hart with no current thread, a call into
 * libc on the hart stack) cannot be contained: the process reports it and
 * ends.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "core/hart.h"
#include "core/thread.h"
#include "hosted/hosted.h"
#include "lib/fmt.h"

#define ALT_STACK_SIZE (64 * 1024)

static uint64_t faults;

uint64_t hosted_fault_count(void)
{
	return __atomic_load_n(&faults, __ATOMIC_RELAXED);
}

static const char *what(int sig)
{
	switch (sig) {
	case SIGSEGV: return "bad memory access";
	case SIGBUS: return "bus error";
	case SIGILL: return "invalid instruction";
	case SIGFPE: return "arithmetic fault";
	default: return "fault";
	}
}

static void say(const char *line)
{
	ssize_t n = write(2, line, strlen(line));
	(void)n;
}

static void on_fault(int sig, siginfo_t *info, void *ucontext)
{
	ucontext_t *uc = ucontext;
	struct hart *h = this_hart();
	struct thread *t = h ? h->current : NULL;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uint64_t rsp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
	char line[256];

	/* On the hart stack, the fault is in libc or the runtime, not in the
	 * thread's own code, and that thread may hold a libc lock: ending only
	 * it could hang the others. */
	if (!t || (t->flags & (THREAD_IDLE | THREAD_STATIC)) || hosted_hart_stack_has(rsp)) {
		fmt_snprintf(line, sizeof line,
			     "lemmings-hosted: %s at rip %p (address %p) in the runtime itself; "
			     "ending the process\n", what(sig), (void *)rip, info->si_addr);
		say(line);
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(128 + sig);
	}
	__atomic_fetch_add(&faults, 1, __ATOMIC_RELAXED);
	fmt_snprintf(line, sizeof line,
		     "*** thread %llu (%s) stopped on hart %u: %s at address %p, rip %p%s\n",
		     (unsigned long long)t->id, t->name[0] ? t->name : "unnamed", h->id, what(sig),
		     info->si_addr, (void *)rip,
		     sig == SIGSEGV && (uint64_t)info->si_addr < t->stack_base &&
				     (uint64_t)info->si_addr + 4096 >= t->stack_base &&
				     rsp < t->stack_base + 4096
			     ? " (stack overflow into the guard page)"
			     : "");
	say(line);
	thread_exit();
}

void hosted_fault_init_hart(void)
{
	stack_t ss = {.ss_sp = malloc(ALT_STACK_SIZE), .ss_size = ALT_STACK_SIZE};
	struct sigaction sa;
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

	if (!ss.ss_sp || sigaltstack(&ss, NULL)) {
		perror("lemmings-hosted: sigaltstack");
		exit(1);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}
