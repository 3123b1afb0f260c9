/*
 * Thread context switching (switch.S), shared by the kernel and the hosted
 * runtime.
 *
 * A switched-out thread's stack pointer addresses its switch frame:
 *
 *   +0   MXCSR (4 bytes), x87 control word (2 bytes), padding
 *   +8   r15, r14, r13, r12, rbx, rbp
 *   +56  resume address
 *
 * These are all the registers the System V ABI says a call preserves; the
 * rest are dead at a call, so a voluntary switch saves nothing else. A
 * preempted thread gets a full trap frame and vector state saved below its
 * stack pointer, and a switch frame whose resume address restores them
 * (arch/x86_64/preempt.c), so that every switched-out thread looks alike.
 */
#ifndef ARCH_X86_64_CONTEXT_H
#define ARCH_X86_64_CONTEXT_H

#include <stdint.h>

struct thread;

#define CTX_FRAME_SIZE 64
#define CTX_MXCSR_DEFAULT 0x1f80
#define CTX_FCW_DEFAULT 0x037f

/* Save the current context into *save_rsp and resume the context at
 * new_rsp. Returns, once this context is resumed, the thread that ran
 * before it on this hart (passed along as prev by whoever switched back). */
struct thread *ctx_switch(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev);

/* Resume new_rsp without saving anything (the current context is dead). */
__attribute__((noreturn)) void ctx_jump(uint64_t new_rsp, struct thread *prev);

/* Build a new thread's first switch frame below top (16-byte aligned);
 * resuming it calls thread_start(prev). Returns the saved stack pointer.
 * Inline: it is a few stores of every spawn. */
extern char ctx_thread_entry[];

static inline uint64_t ctx_init_stack(uintptr_t top)
{
	uint64_t *f = (uint64_t *)((top - CTX_FRAME_SIZE) & ~(uintptr_t)15);

	f[0] = CTX_MXCSR_DEFAULT | (uint64_t)CTX_FCW_DEFAULT << 32;
	/* r15, r14, r13, r12 and rbx (f[1] to f[5]) are left as the page
	 * has them: resuming the frame loads them, and nothing reads them
	 * before ctx_thread_entry's call gives them values (five stores
	 * less per spawn). rbp = 0 ends backtraces. */
	f[6] = 0;
	f[7] = (uint64_t)(uintptr_t)ctx_thread_entry;
	return (uint64_t)(uintptr_t)f;
}

/* setjmp/longjmp for fault catchers: rbx rbp r12-r15 rsp rip. */
typedef uint64_t ctx_jmpbuf[8];
__attribute__((returns_twice)) int ctx_setjmp(ctx_jmpbuf jb);
__attribute__((noreturn)) void ctx_longjmp(ctx_jmpbuf jb, int value);

/* Call fn(arg) with the stack pointer at top (16-byte aligned) and come
 * back on the caller's stack (arch/x86_64/call_on_stack.S). */
void ctx_call_on_stack(void (*fn)(void *), void *arg, uintptr_t top);

#endif
