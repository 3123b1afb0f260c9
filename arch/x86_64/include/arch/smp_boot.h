/*
 * Where application processors start (ap_boot.S), shared by C and assembly.
 */
#ifndef ARCH_X86_64_SMP_BOOT_H
#define ARCH_X86_64_SMP_BOOT_H

/* Physical page of the start-up code: below 1 MiB, page aligned, and free
 * (the first MiB is never given to the page allocator). */
#define AP_BOOT_PHYS 0x8000

#ifndef __ASSEMBLER__
#include <stdint.h>

struct ap_boot_params {
	uint64_t cr3;   /* page tables with the first 2 MiB identity mapped */
	uint64_t efer;  /* bits to set in EFER */
	uint64_t stack; /* initial stack pointer */
	uint64_t entry; /* void entry(uint64_t arg), never returns */
	uint64_t arg;
};

extern const char ap_boot_start[], ap_boot_end[], ap_boot_params[];
#endif

#endif
