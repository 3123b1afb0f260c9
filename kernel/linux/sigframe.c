/*
 * Linux signal frames: placement and the checks of a frame read back
 * (sigframe.h). Pure: no kernel state, host-tested (linux_test.c).
 */
#include "kernel/linux/sigframe.h"

enum lm_err linux_sigframe_place(uint64_t sp, uint64_t *frame, uint64_t *fpstate)
{
	uint64_t fp, f;

	if (sp > LINUX_USER_TOP ||
	    sp < LINUX_RED_ZONE + LINUX_FXSTATE_SIZE + sizeof(struct linux_rt_sigframe) + 128)
		return LM_ERR_RANGE;
	fp = (sp - LINUX_RED_ZONE - LINUX_FXSTATE_SIZE) & ~63ull;
	f = ((fp - sizeof(struct linux_rt_sigframe)) & ~15ull) - 8;
	*frame = f;
	*fpstate = fp;
	return LM_OK;
}

enum lm_err linux_sigcontext_check(const struct linux_sigcontext *sc)
{
	if (sc->rip >= LINUX_USER_TOP || sc->rsp >= LINUX_USER_TOP)
		return LM_ERR_FAULT;
	if (sc->fpstate && (sc->fpstate >= LINUX_USER_TOP - LINUX_FXSTATE_SIZE ||
			    (sc->fpstate & 15)))
		return LM_ERR_FAULT;
	return LM_OK;
}

enum lm_err linux_fxstate_check(const uint8_t fx[LINUX_FXSTATE_SIZE])
{
	uint32_t mxcsr = (uint32_t)fx[24] | (uint32_t)fx[25] << 8 | (uint32_t)fx[26] << 16 |
			 (uint32_t)fx[27] << 24;

	return mxcsr & 0xffff0000u ? LM_ERR_FAULT : LM_OK;
}
