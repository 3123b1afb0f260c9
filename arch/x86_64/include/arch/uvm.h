/*
 * The page tables of one address space (kernel/aspace.c owns the spaces).
 *
 * An address space's top-level table maps its own pages in the lower half
 * (USER_BASE .. USER_END, arch/layout.h), every leaf user-accessible, and of
 * the kernel half only the entry region (ENTRY_BASE): one top-level entry,
 * shared with the kernel's tables, holding the entry pages, the code that
 * loads the space's tables and leaves them again. The kernel itself, its
 * data, the direct map, the stacks and the programs are absent: with the
 * space's tables loaded, no kernel address but the entry pages translates,
 * as with Linux's page-table isolation. The kernel always runs on its own
 * tables and reaches a space's pages through the direct map (uvm_lookup).
 *
 * PCIDs: where the CPU has them, each space's tables are loaded with a
 * process-context id (uvm_cr3), so that loading them, and loading the
 * kernel's again, keeps the other's translations. Whoever loads a space
 * decides whether its PCID's old translations may be kept (kernel/aspace.c
 * keeps them only when this hart last loaded the same space at the same
 * generation).
 *
 * No locking here: the caller serializes the calls on one struct uvm.
 */
#ifndef ARCH_X86_64_UVM_H
#define ARCH_X86_64_UVM_H

#include "arch/layout.h"

/*
 * The entry data (arch/x86_64/entry.S), at ENTRY_DATA_BASE in every space:
 * a page of words (the kernel's CR3 value, its IDT pointer, the ring 3
 * IDT's pointer), the ring 3 IDT, then a 2 KiB block per hart: the kernel
 * stack pointer of its thread in ring 3, the user stack pointer at a
 * syscall, its GDT and TSS (arch/x86_64/gdt.c), and its entry stack above
 * them, up to the block's end (the TSS's RSP0).
 */
#define UVM_HARTS 64          /* entry blocks: one per hart (HART_MAX) */
#define HART_ID_OFFSET 136    /* offsetof(struct hart, id): checked in kernel/aspace.c */
#define BLOCK_SHIFT 11        /* 2 KiB entry blocks */
#define UVM_DATA_KERNEL_CR3 0
#define UVM_DATA_KERNEL_IDTR 16
#define UVM_DATA_USER_IDTR 32
#define UVM_DATA_VERW 48      /* 1: VERW before every return to ring 3 */
#define UVM_BLOCKS_ALIAS (ENTRY_DATA_BASE + 8192)
#define UVM_BLOCK_KERNEL_RSP 0
#define UVM_BLOCK_USER_RSP 8
#define UVM_BLOCK_TABLES 16   /* struct gdt_tables (arch/gdt.h) */
#define UVM_TRAP_SYSCALL 256  /* struct uvm_regs's trap after a syscall */

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#define UVM_PCID_COUNT 64 /* PCIDs 1 .. 63 go to address spaces; 0 is the kernel's */

struct uvm {
	uint64_t pml4;        /* physical address of the top-level table */
	uint64_t table_pages; /* tables below it (not counting it) */
};

/* Whether this CPU has PCIDs (CPUID), and so whether uvm_cr3 uses them. */
bool uvm_pcid_supported(void);

/* A new, empty space: its top-level table with the entry region only.
 * LM_ERR_NOMEM if there is no page for it. */
enum lm_err uvm_create(struct uvm *u);

/* Free every table, calling leaf(ctx, phys) for each mapped page first. */
void uvm_destroy(struct uvm *u, void (*leaf)(void *ctx, uint64_t phys), void *ctx);

/*
 * Map the page at va (page aligned, in [USER_BASE, USER_END)) to phys with
 * flags (VM_WRITE, VM_EXEC from arch/vm.h; user accessible, readable).
 * LM_ERR_RANGE for va outside, LM_ERR_EXIST if mapped, LM_ERR_NOMEM if a
 * table is needed and *tables_left (the caller's budget, decremented per
 * table) is 0 or no page is free. Nothing changes on an error but tables
 * that stay, empty, for later maps.
 */
enum lm_err uvm_map(struct uvm *u, uintptr_t va, uint64_t phys, unsigned flags,
		    uint64_t *tables_left);

/* Unmap the page at va; its physical address, or 0 if it was not mapped. */
uint64_t uvm_unmap(struct uvm *u, uintptr_t va);

/* Give the mapped page at va new flags; LM_ERR_NOENT if it is not mapped. */
enum lm_err uvm_protect(struct uvm *u, uintptr_t va, unsigned flags);

/* The page at va: false if not mapped, else its physical address and flags. */
bool uvm_lookup(const struct uvm *u, uintptr_t va, uint64_t *phys, unsigned *flags);

/*
 * Call fn(ctx, va, phys, flags) for every mapped page, lowest address
 * first; stop at the first call that returns an error, and return it.
 * fn must not change u's tables.
 */
enum lm_err uvm_each(const struct uvm *u,
		     enum lm_err (*fn)(void *ctx, uintptr_t va, uint64_t phys, unsigned flags),
		     void *ctx);

/* The CR3 value that loads u's tables with PCID pcid (1 .. 63; ignored
 * without PCIDs), keeping that PCID's translations if keep. */
uint64_t uvm_cr3(const struct uvm *u, unsigned pcid, bool keep);

/*
 * Load the tables at cr3 (from uvm_cr3) through the entry pages, read the
 * eight bytes at va there, and load the kernel's again (keeping its
 * translations where PCIDs allow). Interrupts must be off, and va mapped
 * and readable in those tables: nothing to handle a fault is mapped there.
 * For tests that check what the MMU sees, and for the entry path's tests.
 */
uint64_t uvm_probe_read(uint64_t cr3, uintptr_t va);

/* A ring 3 thread's registers, as entry.S saves and loads them, and why it
 * came back. */
struct uvm_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rsp, rflags;
	uint64_t trap;  /* UVM_TRAP_SYSCALL, or the vector of what came */
	uint64_t error; /* the exception's error code, or 0 */
	uint64_t cr2;   /* after a page fault: the address */
	uint64_t fs_base; /* the FS base ring 3 runs with (a Linux program's TLS) */
};

/*
 * Run ring 3 code with r's registers in the tables cr3 loads, interrupts
 * on there, until it executes `syscall` or an interrupt or exception comes;
 * then r holds its registers and why (r->trap; rip after the syscall, or
 * where the exception or interrupt came; after a syscall rcx and r11 hold
 * what the instruction put there, the return address and the flags, and
 * r10 what ring 3 had in it: the Linux calling convention's fourth
 * argument). Of r->rflags only the arithmetic
 * flags and DF are used; IF is always set, IOPL 0. The FS base is
 * r->fs_base in ring 3 (the kernel does not use FS; ring 3 cannot change it
 * without wrfsbase, which is off). Interrupts must be off
 * (and are on return). An interrupt that came is the caller's to deliver
 * (uvm_deliver): the CPU has taken it, and only software can give it to
 * its handler now.
 */
void uvm_run_user(struct uvm_regs *r, uint64_t cr3);

/* Run the kernel's handler of vector as if the interrupt had come now. */
void uvm_deliver(unsigned vector);

/* Side-channel mitigations the CPU offers (CPUID, IA32_ARCH_CAPABILITIES):
 * IBPB, an indirect branch prediction barrier, for switching between two
 * address spaces; VERW clearing CPU buffers before each return to ring 3,
 * where MDS applies (MD_CLEAR, and not MDS_NO). The VERW is on from the
 * first uvm_run_user where it applies. */
bool uvm_has_ibpb(void);
bool uvm_needs_verw(void);
/* An indirect branch prediction barrier, if the CPU has one: branches
 * before it do not steer predictions after it. */
void uvm_ibpb(void);

#endif /* __ASSEMBLER__ */
#endif
