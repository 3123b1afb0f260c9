/*
 * net_core_run (core.h): lwIP's core lock, and a stack of its own for the
 * code that runs under it.
 *
 * Owns core_stack, used only by the holder of lwIP's core lock.
 */
#include <stdint.h>

#include "lwip/tcpip.h"

#include "programs/net/core.h"

#define CORE_STACK (64 * 1024)

static uint8_t core_stack[CORE_STACK] __attribute__((aligned(16)));

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
