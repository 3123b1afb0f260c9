/*
 * Kernel virtual memory: the one address space that every thread and every
 * program shares (layout in arch/layout.h).
 *
 * vm_map_page and vm_unmap_page change single 4 KiB mappings in the kernel
 * half. They do not shoot down other harts' TLBs: callers that unmap memory
 * another hart may have touched must arrange that (see docs/memory.md).
 */
#ifndef ARCH_X86_64_VM_H
#define ARCH_X86_64_VM_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "arch/layout.h"

enum vm_flags {
	VM_READ = 0,          /* every mapping is readable */
	VM_WRITE = 1 << 0,
	VM_EXEC = 1 << 1,
	VM_UNCACHED = 1 << 2, /* device memory */
	VM_GLOBAL = 1 << 3,
};

static inline void *phys_to_virt(uint64_t phys)
{
	return (void *)(DIRECT_MAP_BASE + phys);
}

static inline uint64_t virt_to_phys_direct(const void *p)
{
	return (uint64_t)(uintptr_t)p - DIRECT_MAP_BASE;
}

/* A range of physical memory for the direct map: [base, end). */
struct vm_range {
	uint64_t base, end;
};

/* Build the kernel's page tables, with a direct map of the count ranges
 * of memory at direct (RAM and firmware tables; other ranges are mapped
 * on request, by vm_map_mmio), and switch to them. */
void vm_init(const struct vm_range *direct, uint32_t count);

/* Map one page; LM_ERR_EXIST if va is already mapped, LM_ERR_NOMEM if a
 * page table could not be allocated. */
enum lm_err vm_map_page(uintptr_t va, uint64_t phys, unsigned flags);
/* Unmap one page on this hart; returns its physical address, or 0 if it was
 * not mapped. */
uint64_t vm_unmap_page(uintptr_t va);
/* Physical address behind va, if mapped (any page size). */
bool vm_translate(uintptr_t va, uint64_t *phys);
/* Is [va, va+len) mapped, readable memory? For fault-free debug reads. */
bool vm_readable(uintptr_t va, uint64_t len);
/* Is [va, va+len) mapped, and writable too if write? For checking what a
 * program passes before the system reads or writes it. */
bool vm_accessible(uintptr_t va, uint64_t len, bool write);

/*
 * A free-list link kept in the page-table entry of an unmapped page (the
 * guard page of a free stack slot, kernel/kstack.c): the MMU ignores entries
 * whose present bit is clear. va must lie in the stack region; value is a
 * page-aligned address in that region, or 0.
 */
void vm_guard_link_set(uintptr_t va, uintptr_t value);
uintptr_t vm_guard_link_get(uintptr_t va);

/*
 * Map device memory, [phys, phys + len), uncached into the direct map and
 * set *va to where phys is found there. LM_ERR_INVAL if len is 0,
 * LM_ERR_RANGE if the range wraps or ends past the direct map (64 TiB),
 * LM_ERR_NOMEM if the page tables it needs cannot all be allocated. On an
 * error nothing has changed: no entry, no page kept, *va untouched.
 */
enum lm_err vm_map_mmio(uint64_t phys, uint64_t len, void **va);
/* Test hook (kernel/vm_test.c): in the next vm_map_mmio, the nth page-table
 * allocation (counting from 1) fails as if memory were exhausted; 0: none. */
void vm_mmio_fail_table_alloc(unsigned nth);

/* Page tables for starting other harts: the kernel half plus an identity
 * map of the first 2 MiB (where their start-up code runs). Returns the
 * physical address of the top-level table; free once all harts are up. */
uint64_t vm_make_ap_boot_tables(void);
void vm_free_ap_boot_tables(uint64_t pml4_phys);
/* Load the kernel's own tables on this hart. */
void vm_switch_to_kernel_tables(void);

/* The physical address of the kernel's top-level table. */
uint64_t vm_kernel_cr3(void);
/* The kernel's top-level entry for the entry region (ENTRY_BASE): the one
 * entry of the kernel half that every address space copies. */
uint64_t vm_entry_slot(void);

/* Whether the CPU enforces no-execute (EFER.NXE is on). */
bool vm_nx_enabled(void);

/* Count of page-table pages allocated for the kernel half. */
uint64_t vm_table_pages(void);

#endif
