/*
 * Traps as the kernel sees them: the handler of each interrupt vector, and
 * the dispatch that every trap goes through (kernel/trap.c).
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdint.h>

#include "arch/trap.h"

/* Interrupt handlers for vectors >= 32; return nothing, run with interrupts
 * off on the IRQ stack. */
typedef void (*irq_handler)(struct trap_frame *f);
void irq_set_handler(uint8_t vector, irq_handler h);

/* Every trap's C entry (from the architecture's stubs; arch/upcalls.h):
 * returns the frame to resume. */
struct trap_frame *trap_dispatch(struct trap_frame *f);

#endif
