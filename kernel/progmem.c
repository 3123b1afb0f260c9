/*
 * Program memory: the part of the shared address space where the loader
 * places programs (PROGRAMS_BASE, 16 TiB; arch/layout.h).
 *
 * Placement is a bump pointer with an unmapped page between programs, so
 * a program running off its end faults rather than reaching its neighbour.
 * Address space given back is not reused: programs are not unloaded (their
 * doors may be registered, and doors are never removed), only failed loads
 * give memory back, and 16 TiB outlasts any boot. The pages behind it come
 * from the physical allocator, mapped non-executable and writable until the
 * loader sets each segment's protection.
 *
 * Locking: prog_lock guards the bump pointer; mapping calls take vm's own.
 */
#include <stddef.h>

#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "kernel/pmm.h"
#include "kernel/tlb.h"

static struct spinlock prog_lock = SPINLOCK_INIT;
static uint64_t prog_next = PROGRAMS_BASE;

enum lm_err plat_program_reserve(uint64_t size, uint64_t *base)
{
	bool irq;
	uint64_t at;

	if (!size || size % PAGE_SIZE || size > PROGRAMS_SIZE)
		return LM_ERR_INVAL;
	irq = plat_irq_save();
	spin_lock(&prog_lock);
	at = prog_next;
	if (PROGRAMS_BASE + PROGRAMS_SIZE - at < size + PAGE_SIZE) {
		spin_unlock(&prog_lock);
		plat_irq_restore(irq);
		return LM_ERR_NOSPACE;
	}
	prog_next = at + size + PAGE_SIZE; /* the page after stays a gap */
	spin_unlock(&prog_lock);
	plat_irq_restore(irq);

	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t phys = pmm_alloc_zeroed_page();

		if (!phys || vm_map_page((uintptr_t)(at + off), phys, VM_WRITE)) {
			if (phys)
				pmm_free_page(phys);
			tlb_unmap_and_free((uintptr_t)at, (unsigned)(off / PAGE_SIZE));
			return LM_ERR_NOMEM;
		}
	}
	*base = at;
	return LM_OK;
}

enum lm_err plat_program_protect(uint64_t addr, uint64_t len, unsigned prot)
{
	unsigned flags = (prot & PLAT_PROT_WRITE ? VM_WRITE : 0) |
			 (prot & PLAT_PROT_EXEC ? VM_EXEC : 0);

	if ((prot & PLAT_PROT_WRITE) && (prot & PLAT_PROT_EXEC))
		return LM_ERR_INVAL; /* never both */
	if (addr < PROGRAMS_BASE || addr % PAGE_SIZE || len % PAGE_SIZE ||
	    len > PROGRAMS_BASE + PROGRAMS_SIZE - addr)
		return LM_ERR_INVAL;
	for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE) {
		uint64_t phys = vm_unmap_page((uintptr_t)va);

		if (!phys)
			return LM_ERR_INVAL;
		if (vm_map_page((uintptr_t)va, phys, flags))
			return LM_ERR_NOMEM;
	}
	/* Other harts may hold the writable translation of the loader's copy. */
	tlb_shootdown((uintptr_t)addr, (unsigned)(len / PAGE_SIZE));
	return LM_OK;
}

void plat_program_release(uint64_t base, uint64_t size)
{
	if (base >= PROGRAMS_BASE && size % PAGE_SIZE == 0 &&
	    size <= PROGRAMS_BASE + PROGRAMS_SIZE - base)
		tlb_unmap_and_free((uintptr_t)base, (unsigned)(size / PAGE_SIZE));
}

void *plat_page_alloc(void)
{
	uint64_t phys = pmm_alloc_zeroed_page();

	return phys ? phys_to_virt(phys) : NULL;
}

void plat_page_free(void *page)
{
	if (page)
		pmm_free_page(virt_to_phys_direct(page));
}
