/*
 * x87/SSE/AVX state. Kernel code never touches vector registers (it is
 * built with -mgeneral-regs-only), so the vector state in the registers
 * always belongs to the thread that runs; only preemption saves it.
 */
#ifndef ARCH_X86_64_FPU_H
#define ARCH_X86_64_FPU_H

#include <stdint.h>

/* Enable SSE (and XSAVE with AVX, where the CPU has them) on this hart. */
void fpu_init_hart(void);

/* Bytes needed by fpu_save (64-byte aligned area). */
extern uint32_t fpu_area_size;

void fpu_save(void *area);
void fpu_restore(const void *area);

#endif
