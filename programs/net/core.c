/*
 * net_core_run (core.h): lwIP's core lock, and a stack of its own for the
 * code that runs under it.
 *
 * Owns core_stack, used only by the holder of lwIP's core lock, and the
 * call stacks: CALL_STACKS stacks of CALL_STACK bytes on a free list
 * (call_lock guards it), each used by one Net door call at a time.
 */
#include <stdint.h>

#include "lwip/tcpip.h"

#include "programs/net/wait.h"

#include "programs/net/core.h"

#define CORE_STACK (64 * 1024)
#define CALL_STACK (8 * 1024)
#define CALL_STACKS 512

static uint8_t core_stack[CORE_STACK] __attribute__((aligned(16)));
static uint8_t call_stacks[CALL_STACKS][CALL_STACK] __attribute__((aligned(16)));
static void *call_free[CALL_STACKS];
static unsigned call_free_count;
static struct lm_lock call_lock;

/* Call fn(arg) with the stack pointer at top, then come back to the
 * caller's stack. The old frame pointer is kept in rbp, callee-saved. */
__attribute__((visibility("hidden"))) void net_on_stack(void (*fn)(void *), void *arg, void *top);
__asm__(".text\n"
	".globl net_on_stack\n"
	".type net_on_stack, @function\n"
	"net_on_stack:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov %rdx, %rsp\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	call *%rax\n"
	"	mov %rbp, %rsp\n"
	"	pop %rbp\n"
	"	ret\n"
	".size net_on_stack, . - net_on_stack\n");

void net_core_run(void (*fn)(void *), void *arg)
{
	LOCK_TCPIP_CORE();
	net_on_stack(fn, arg, core_stack + CORE_STACK);
	UNLOCK_TCPIP_CORE();
}

void net_call_stacks_init(void)
{
	lm_lock_init(&call_lock, net_threads, net_timer);
	for (unsigned i = 0; i < CALL_STACKS; i++)
		call_free[i] = call_stacks[i] + CALL_STACK;
	call_free_count = CALL_STACKS;
}

void net_call_run(void (*fn)(void *), void *arg)
{
	void *top = NULL;

	lm_lock(&call_lock);
	if (call_free_count)
		top = call_free[--call_free_count];
	lm_unlock(&call_lock);
	while (!top) { /* every call stack in use, by calls that are short */
		threads_yield(net_threads);
		lm_lock(&call_lock);
		if (call_free_count)
			top = call_free[--call_free_count];
		lm_unlock(&call_lock);
	}
	net_on_stack(fn, arg, top);
	lm_lock(&call_lock);
	call_free[call_free_count++] = top;
	lm_unlock(&call_lock);
}
