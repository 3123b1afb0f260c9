/*
 * Preemption's part that only the architecture can do: saving an
 * interrupted thread's whole state on its own stack, so that the scheduler
 * can set it aside like any switched-out thread (kernel/trap.c decides
 * when; core/sched.c's sched_preempt switches).
 */
#ifndef ARCH_X86_64_PREEMPT_H
#define ARCH_X86_64_PREEMPT_H

#include "arch/trap.h"

/* Save the state of the thread that f interrupted below f->rsp (its red
 * zone left alone), as a switch frame whose resume restores all of it;
 * returns that frame's address, the thread's saved stack pointer. The
 * stack must have preempt_stack_need() bytes free below f->rsp. */
uint64_t preempt_save(const struct trap_frame *f);

/* Bytes a thread's stack must have free below its stack pointer to be
 * preempted: red zone, trap frame, vector state, switch frame, and room
 * for what runs on it when it resumes. */
uint64_t preempt_stack_need(void);

#endif
