/*
 * Linux signal frames, the pure parts (sigframe.c; host-tested): where a
 * frame goes on a stack, and the checks rt_sigreturn makes of one it
 * reads back. The kernel side (signal.c) fills and copies them.
 */
#ifndef KERNEL_LINUX_SIGFRAME_H
#define KERNEL_LINUX_SIGFRAME_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "kernel/linux/abi.h"

#define LINUX_USER_TOP 0x800000000000ull /* the canonical lower half's end */
#define LINUX_RED_ZONE 128

/* Where a handler's frame and its FP image go for a stack pointer sp:
 * below the red zone, the FP image 64-byte aligned, then the frame so that
 * the handler starts as after a call (frame + 8 is 16-byte aligned).
 * LM_ERR_RANGE if that would wrap or leave the lower half. */
enum lm_err linux_sigframe_place(uint64_t sp, uint64_t *frame, uint64_t *fpstate);

/* Whether a sigcontext read back from a frame may be returned to: rip and
 * rsp in the canonical lower half (iretq faults in the kernel otherwise),
 * fpstate 0 or 16-byte aligned there. LM_ERR_FAULT if not. */
enum lm_err linux_sigcontext_check(const struct linux_sigcontext *sc);

/* Whether an fxsave image read back may be loaded: MXCSR's reserved bits
 * clear (fxrstor would fault). LM_ERR_FAULT if not. */
enum lm_err linux_fxstate_check(const uint8_t fx[LINUX_FXSTATE_SIZE]);

/* The flags a return may set in rflags: the arithmetic ones, DF. */
#define LINUX_RFLAGS_USER 0xcd5ull

#endif
