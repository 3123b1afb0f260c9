/*
 * Per-hart descriptor tables: GDT with a TSS whose IST slots point at this
 * hart's interrupt stacks and whose RSP0 is the hart's entry stack (ring 3,
 * arch/uvm.h). The selectors are fixed, so that SYSCALL/SYSRET can use
 * them.
 */
#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H

#include <stdint.h>

#include "arch/trap.h"

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_DATA 0x1b   /* 0x18 | RPL 3 */
#define SEL_USER_CODE 0x23   /* 0x20 | RPL 3 */
#define SEL_TSS 0x28

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* A hart's GDT and TSS. They lie in its entry block (arch/uvm.h), so that
 * every address space maps them: the CPU reads both when an interrupt
 * comes in ring 3. */
struct gdt_tables {
	uint64_t gdt[7];
	struct tss tss;
} __attribute__((packed));

struct arch_hart {
	struct gdt_tables *tables;        /* at its kernel address */
	uintptr_t ist_top[IST_COUNT + 1]; /* [0] unused */
};

/* Build and load this hart's GDT and TSS (IST stacks are allocated here),
 * in its entry block: GS must point at the hart's record already, for its
 * id. Returns 0, or -1 if memory for the stacks ran out. */
int gdt_init_hart(struct arch_hart *a);

/* Is addr within one of this hart's IST stacks? Which one (or 0)? */
int gdt_ist_of(const struct arch_hart *a, uintptr_t addr);

#endif
