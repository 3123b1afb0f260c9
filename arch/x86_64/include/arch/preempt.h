/*
 * Preemption: at the end of an interrupt, if a thread of higher priority
 * than the running one became ready on this hart, switch to it.
 */
#ifndef ARCH_X86_64_PREEMPT_H
#define ARCH_X86_64_PREEMPT_H

#include "arch/trap.h"

/* Returns f to go on with the interrupted thread; otherwise does not
 * return (the interrupted thread is saved and another one resumed). */
struct trap_frame *preempt_irq_exit(struct trap_frame *f);

/* Bytes a thread's stack must have free below its stack pointer to be
 * preempted: red zone, trap frame, vector state, switch frame, and room
 * for what runs on it when it resumes. */
uint64_t preempt_stack_need(void);

#endif
