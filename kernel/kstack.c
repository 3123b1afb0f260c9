/*
 * Stack slots in the thread-stack region.
 *
 * A slot for an n-page stack spans n + 1 pages of address space: the guard
 * page, then the stack. Slots of each size are recycled through a free list
 * whose links live in the guard pages' page-table entries (vm_guard_link):
 * the MMU ignores an entry whose present bit is clear, so the links cost no
 * memory. Fresh slots come from a bump pointer over the region.
 *
 * Freed one-page stacks, by far the most common (one per thread), first go
 * to a cache that keeps their page mapped: spawning a thread after another
 * exited then touches no page table and needs no TLB flush. The cache is
 * bounded (KSTACK_CACHE_MAX pages) and drained when memory runs out.
 *
 * Beyond the cache, a freed one-page stack is unmapped at once but its
 * slot and page wait in a batch of KSTACK_BATCH: one TLB shootdown for the
 * whole batch then makes them safe to reuse. Freeing them one by one would
 * cost every hart an interrupt per thread when many threads end at once.
 * Until the shootdown, nothing can reach them: the slot is on no free list
 * and the page is not back in the allocator.
 *
 * Locking: kstack_lock, with interrupts off, covers the bump pointer, the
 * free lists, the cache and the batch. A shootdown is never started with
 * the lock held (a hart spinning on it could not answer the interrupt);
 * batch_flushing keeps the batch to its flusher meanwhile.
 */
#include <stdbool.h>

#include "arch/cpu.h"
#include "arch/spinlock.h"
#include "arch/upcalls.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "core/stack.h"
#include "core/thread.h"
#include "kernel/kstack.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/tlb.h"

#define KSTACK_CACHE_MAX 4096
#define KSTACK_BATCH 64

static struct spinlock kstack_lock = SPINLOCK_INIT;
static uintptr_t bump = STACKS_BASE;
static uintptr_t free_slots[KSTACK_MAX_PAGES + 1]; /* slot base (guard), 0 = empty */
static uintptr_t cache_head;                       /* stack page; link in its first word */
static uint64_t cache_count;
static struct {
	uintptr_t slot;
	uint64_t phys;
} batch[KSTACK_BATCH];                             /* unmapped, awaiting a shootdown */
static unsigned batch_count;
static bool batch_flushing;

/* A slot's address space: from its free list, else fresh. 0 if none left. */
static uintptr_t slot_take(unsigned pages)
{
	uintptr_t slot = free_slots[pages];
	uint64_t span = (uint64_t)(pages + 1) * PAGE_SIZE;

	if (slot) {
		free_slots[pages] = vm_guard_link_get(slot);
		vm_guard_link_set(slot, 0);
		return slot;
	}
	if (bump + span > STACKS_BASE + STACKS_SIZE)
		return 0;
	slot = bump;
	bump += span;
	return slot;
}

static void slot_give(uintptr_t slot, unsigned pages)
{
	vm_guard_link_set(slot, free_slots[pages]);
	free_slots[pages] = slot;
}

uintptr_t kstack_alloc(unsigned pages)
{
	uintptr_t slot, base;
	bool irq;

	if (!pages || pages > KSTACK_MAX_PAGES)
		return 0;
	irq = plat_spin_lock(&kstack_lock);
	if (pages == 1 && cache_head) {
		base = cache_head;
		cache_head = *(uintptr_t *)base;
		cache_count--;
		plat_spin_unlock(&kstack_lock, irq);
		return base;
	}
	slot = slot_take(pages);
	plat_spin_unlock(&kstack_lock, irq);
	if (!slot)
		return 0;

	base = slot + PAGE_SIZE;
	for (unsigned i = 0; i < pages; i++) {
		uint64_t phys = pmm_alloc_page();

		if (!phys && cache_count) {
			kstack_drain();
			phys = pmm_alloc_page();
		}
		if (!phys || vm_map_page(base + (uintptr_t)i * PAGE_SIZE, phys,
					 VM_WRITE) != LM_OK) {
			if (phys)
				pmm_free_page(phys);
			tlb_unmap_and_free(base, i);
			irq = plat_spin_lock(&kstack_lock);
			slot_give(slot, pages);
			plat_spin_unlock(&kstack_lock, irq);
			return 0;
		}
	}
	return base;
}

/* Make every hart forget the batch's mappings, then let its slots and
 * pages be reused. Called without the lock, by the one hart that set
 * batch_flushing. */
static void batch_flush(void)
{
	bool irq;

	tlb_shootdown(STACKS_BASE, ~0u); /* more than a few pages: a full flush */
	for (unsigned i = 0; i < batch_count; i++)
		if (batch[i].phys)
			pmm_free_page(batch[i].phys);
	irq = plat_spin_lock(&kstack_lock);
	for (unsigned i = 0; i < batch_count; i++)
		slot_give(batch[i].slot, 1);
	batch_count = 0;
	batch_flushing = false;
	plat_spin_unlock(&kstack_lock, irq);
}

/* Park a freed one-page stack in the batch; false if the batch is being
 * flushed by another hart (the caller frees it the slow way). */
static bool batch_add(uintptr_t base)
{
	bool irq = plat_spin_lock(&kstack_lock), flush = false;
	uint64_t phys;

	if (batch_flushing) {
		plat_spin_unlock(&kstack_lock, irq);
		return false;
	}
	phys = vm_unmap_page(base);
	batch[batch_count].slot = base - PAGE_SIZE;
	batch[batch_count].phys = phys;
	batch_count++;
	if (batch_count == KSTACK_BATCH)
		flush = batch_flushing = true;
	plat_spin_unlock(&kstack_lock, irq);
	if (flush)
		batch_flush();
	return true;
}

void kstack_free(uintptr_t base, unsigned pages)
{
	bool irq;

	if (base < STACKS_BASE + PAGE_SIZE || base >= STACKS_BASE + STACKS_SIZE ||
	    !pages || pages > KSTACK_MAX_PAGES)
		panic("kstack: freeing bad stack 0x%lx (%u pages)", (unsigned long)base, pages);
	irq = plat_spin_lock(&kstack_lock);
	if (pages == 1 && cache_count < KSTACK_CACHE_MAX) {
		*(uintptr_t *)base = cache_head;
		cache_head = base;
		cache_count++;
		plat_spin_unlock(&kstack_lock, irq);
		return;
	}
	plat_spin_unlock(&kstack_lock, irq);
	if (pages == 1 && batch_add(base))
		return;
	tlb_unmap_and_free(base, pages);
	irq = plat_spin_lock(&kstack_lock);
	slot_give(base - PAGE_SIZE, pages);
	plat_spin_unlock(&kstack_lock, irq);
}

void kstack_drain(void)
{
	bool irq, flush;

	stack_cache_drain(); /* this hart's own cache first */
	irq = plat_spin_lock(&kstack_lock);
	flush = batch_count && !batch_flushing;
	if (flush)
		batch_flushing = true;
	plat_spin_unlock(&kstack_lock, irq);
	if (flush)
		batch_flush();
	for (;;) {
		uintptr_t base;

		irq = plat_spin_lock(&kstack_lock);
		base = cache_head;

		if (!base) {
			plat_spin_unlock(&kstack_lock, irq);
			return;
		}
		cache_head = *(uintptr_t *)base;
		cache_count--;
		plat_spin_unlock(&kstack_lock, irq);
		tlb_unmap_and_free(base, 1);
		irq = plat_spin_lock(&kstack_lock);
		slot_give(base - PAGE_SIZE, 1);
		plat_spin_unlock(&kstack_lock, irq);
	}
}

uint64_t kstack_cached(void)
{
	return __atomic_load_n(&cache_count, __ATOMIC_RELAXED);
}

int kstack_is_guard(uintptr_t addr)
{
	uint64_t phys;

	if (addr < STACKS_BASE || addr >= bump)
		return 0;
	/* Unmapped page in the region, followed by a mapped page: a guard. */
	addr &= ~(uintptr_t)(PAGE_SIZE - 1);
	return !vm_translate(addr, &phys) && vm_translate(addr + PAGE_SIZE, &phys);
}
