/*
 * The hart stack: where the hosted runtime's calls into libc and Linux run.
 *
 * A Lemmings thread has one 4 KiB page for its stack and its control
 * block, and glibc promises nothing about how much stack it takes: its
 * printf family keeps buffers there, malloc's first call on a pthread
 * sets up an arena, and a lazily bound symbol's first call runs ld.so's
 * resolver, which saves the XSAVE area on the caller's stack (3.1 KiB
 * below the caller, measured on an AVX-512 machine). (The binaries are
 * also linked with -z now, so that no resolver runs after start.) So
 * every platform routine
 * that reaches libc or makes a system call from a Lemmings thread does it
 * through hosted_on_hart_stack, which runs the call on a stack of the
 * hart's own: HART_STACK_SIZE bytes that each hart's pthread maps when it
 * is set up, above a PROT_NONE guard page.
 *
 * Invariants:
 * - The hart stack is in use only for the length of one such call, and a
 *   call never switches Lemmings threads (it does not park, yield or take
 *   a lock that parks), so the thread that entered it is the one that
 *   leaves it, on the same pthread, and no two threads share it at once.
 *   A fault while on it is the runtime's own (hosted/fault.c ends the
 *   process rather than one thread, which might hold a libc lock).
 * - A call made while already on the hart stack runs directly (nesting).
 * - Before a pthread is set up as a hart (main, before hosted_run), a call
 *   runs directly on the caller's stack: a pthread's stack is megabytes.
 *   The hart's idle thread runs on its pthread's stack too; its calls still
 *   switch, which is harmless (the hart stack is free while the idle
 *   thread runs) and keeps one rule.
 *
 * The bounds are thread-local (FS-relative) variables, so they are those
 * of the pthread, that is the hart, the calling Lemmings thread runs on
 * now, wherever it came from. The switch (arch/x86_64/call_on_stack.S)
 * adds about 2 ns to a call: an empty function took 9 cycles through
 * hosted_on_hart_stack against 3.5 called directly (optimized build, a
 * million calls), next to the system call or allocation it wraps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "arch/context.h"
#include "hosted/hosted.h"

#define PAGE 4096
#define HART_STACK_SIZE (64 * 1024)

/* The guard page starts at stack_guard, the stack is [stack_low, stack_top);
 * all 0 before set-up. */
static __thread uintptr_t stack_guard, stack_low, stack_top;

static inline uintptr_t current_sp(void)
{
	uintptr_t sp;

	__asm__ volatile("movq %%rsp, %0" : "=r"(sp));
	return sp;
}

void hosted_hart_stack_init(void)
{
	char *p = mmap(NULL, PAGE + HART_STACK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED || mprotect(p, PAGE, PROT_NONE)) {
		perror("lemmings-hosted: the hart stack");
		exit(1);
	}
	stack_guard = (uintptr_t)p;
	stack_low = stack_guard + PAGE;
	stack_top = stack_low + HART_STACK_SIZE;
}

bool hosted_hart_stack_has(uintptr_t sp)
{
	return sp >= stack_guard && sp < stack_top;
}

void hosted_on_hart_stack(void (*fn)(void *), void *arg)
{
	uintptr_t sp = current_sp();

	if (!stack_top || (sp >= stack_low && sp < stack_top))
		fn(arg);
	else
		ctx_call_on_stack(fn, arg, stack_top);
}
