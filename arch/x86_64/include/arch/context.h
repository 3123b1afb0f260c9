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

/*
 * A wait's switch (core/sched.c, sched_thread_wait), made for a tail
 * call: it saves the callee-saved registers and its caller's return
 * address as the frame, with ctx_wait_entry as the resume address, and
 * resumes new_rsp. When this context is resumed, ctx_wait_entry jumps to
 * sched_wait_resume(prev), whose return is this call's: the wait's
 * result, returned to the wait's caller. So the function that calls it
 * need save no register of its own across the switch.
 */
uint64_t ctx_wait_switch(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev);
/* A yield's switch (sched_thread_yield), the same with ctx_yield_entry,
 * which jumps to sched_resume(prev). */
void ctx_yield_switch(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev);

/* Resume new_rsp without saving anything (the current context is dead).
 * It never returns, but is not declared noreturn: GCC never makes a call
 * of a noreturn function a jump (it keeps the caller's frame for
 * backtraces), and the exit's chain of calls (core/thread.c, thread_end)
 * would then save registers and push return addresses all the way down. */
void ctx_jump(uint64_t new_rsp, struct thread *prev);

/*
 * ctx_switch, inline in its caller: the scheduler's own switch
 * (core/sched.c). It makes the same frame, so that either resumes what
 * the other saved, but it leaves to the compiler what a called ctx_switch
 * does itself:
 *
 * - rbx and r12-r15 are declared clobbered, so the function it is inline
 *   in saves them once, in its prologue, as every function that uses them
 *   does; the frame's slots for them are left as they are (whoever resumes
 *   the frame loads them, and nothing here reads them after). ctx_switch,
 *   a function of its own, saves them again.
 * - It resumes the next context with an indirect jump, not a return: a
 *   return after a switch goes back to another thread's caller than the
 *   one the processor's return stack predicts, and so mispredicts each
 *   time, while every thread switched out here resumes at the same
 *   address, which the branch predictor learns. (The function it is
 *   inline in then returns to its own caller, which mispredicts once as a
 *   switch must.)
 *
 * The hosted runtime's code may keep data in the 128 bytes below its
 * stack pointer (the red zone), which the frame must not overwrite there;
 * the kernel is built without a red zone. Every vector register is
 * clobbered: the next thread runs whatever it likes.
 */
#ifdef LM_KERNEL
#define CTX_RED_ZONE_SKIP ""
#define CTX_RED_ZONE_BACK ""
#define CTX_VECTOR_CLOBBERS
#else
#define CTX_RED_ZONE_SKIP "leaq -128(%%rsp), %%rsp\n\t"
#define CTX_RED_ZONE_BACK "leaq 128(%%rsp), %%rsp\n\t"
#define CTX_VECTOR_CLOBBERS , "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", \
	"xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#endif

static inline __attribute__((always_inline)) struct thread *
ctx_switch_inline(uint64_t *save_rsp, uint64_t new_rsp, struct thread *prev)
{
	asm volatile(CTX_RED_ZONE_SKIP
		     "leaq 1f(%%rip), %%rcx\n\t"
		     "pushq %%rcx\n\t"           /* +56 resume address */
		     "pushq %%rbp\n\t"           /* +48 */
		     "subq $48, %%rsp\n\t"       /* +8 r15 .. +40 rbx: not stored */
		     "stmxcsr (%%rsp)\n\t"
		     "fnstcw 4(%%rsp)\n\t"
		     "movq %%rsp, (%%rdi)\n\t"
		     "movq %%rsi, %%rsp\n\t"
		     "ldmxcsr (%%rsp)\n\t"
		     "fldcw 4(%%rsp)\n\t"
		     "movq 8(%%rsp), %%r15\n\t"
		     "movq 16(%%rsp), %%r14\n\t"
		     "movq 24(%%rsp), %%r13\n\t"
		     "movq 32(%%rsp), %%r12\n\t"
		     "movq 40(%%rsp), %%rbx\n\t"
		     "movq 48(%%rsp), %%rbp\n\t"
		     "movq 56(%%rsp), %%rcx\n\t"
		     "addq $64, %%rsp\n\t"
		     "jmpq *%%rcx\n"
		     "1:\n\t" CTX_RED_ZONE_BACK
		     : "+a"(prev), "+D"(save_rsp), "+S"(new_rsp)
		     :
		     : "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
		       "memory", "cc" CTX_VECTOR_CLOBBERS);
	return prev; /* now the thread that ran before on this hart */
}

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

/* This thread's MXCSR (low 32 bits) and x87 control word (high 32), the
 * state a switch keeps per thread besides the registers; and setting
 * them (tests, core/sched_test.c). */
static inline uint64_t ctx_control_words(void)
{
	uint32_t mxcsr;
	uint16_t fcw;

	asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fcw));
	return mxcsr | (uint64_t)fcw << 32;
}

static inline void ctx_set_control_words(uint64_t v)
{
	uint32_t mxcsr = (uint32_t)v;
	uint16_t fcw = (uint16_t)(v >> 32);

	asm volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mxcsr), "m"(fcw));
}

/* setjmp/longjmp for fault catchers: rbx rbp r12-r15 rsp rip. */
typedef uint64_t ctx_jmpbuf[8];
__attribute__((returns_twice)) int ctx_setjmp(ctx_jmpbuf jb);
__attribute__((noreturn)) void ctx_longjmp(ctx_jmpbuf jb, int value);

/* Call fn(arg) with the stack pointer at top (16-byte aligned) and come
 * back on the caller's stack (arch/x86_64/call_on_stack.S). */
void ctx_call_on_stack(void (*fn)(void *), void *arg, uintptr_t top);

#endif
