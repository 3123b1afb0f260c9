/*
 * TLB shootdown, one request at a time.
 *
 * The requester takes shoot_lock, publishes the range and a mask of the
 * harts that must flush, sends them an IPI, flushes its own TLB and waits
 * for the mask to empty.
 * Each hart flushes and clears its bit, in the IPI handler or, if it is
 * itself waiting for shoot_lock, in that wait: two harts shooting down at
 * once therefore cannot deadlock. A requester keeps interrupts off from
 * start to end, so it is never preempted holding the lock.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/spinlock.h"
#include "arch/trap.h"
#include "arch/vm.h"
#include "core/hart.h"
#include "kernel/pmm.h"
#include "kernel/tlb.h"
#include "kernel/trap.h"

#define FULL_FLUSH_PAGES 32 /* above this, reload CR3 instead */

static struct spinlock shoot_lock = SPINLOCK_INIT;
static uintptr_t shoot_va;
static unsigned shoot_pages;
static uint64_t shoot_mask; /* harts that still have to flush */

static void flush_local(uintptr_t va, unsigned pages)
{
	if (pages > FULL_FLUSH_PAGES) {
		write_cr3(read_cr3());
		return;
	}
	for (unsigned i = 0; i < pages; i++)
		invlpg(va + (uintptr_t)i * 4096);
}

/* Do our part of a pending request, if any. */
static void tlb_poll(void)
{
	uint64_t me = 1ull << hart_id();

	if (__atomic_load_n(&shoot_mask, __ATOMIC_ACQUIRE) & me) {
		flush_local(__atomic_load_n(&shoot_va, __ATOMIC_RELAXED),
			    __atomic_load_n(&shoot_pages, __ATOMIC_RELAXED));
		__atomic_fetch_and(&shoot_mask, ~me, __ATOMIC_RELEASE);
	}
}

static void tlb_irq(struct trap_frame *f)
{
	tlb_poll();
	apic_eoi();
}

void tlb_init_hart(void)
{
	irq_set_handler(VEC_TLB, tlb_irq);
}

void tlb_shootdown(uintptr_t va, unsigned pages)
{
	uint32_t n = __atomic_load_n(&hart_count, __ATOMIC_ACQUIRE), me;
	uint64_t others = 0;
	bool irq;

	if (n <= 1)
		return;
	/* Interrupts off throughout: a requester preempted while it holds
	 * shoot_lock would leave every other requester spinning (and, if it
	 * then ran on another hart, spare the wrong hart from flushing). */
	irq = irq_save();
	me = hart_id();
	while (!spin_trylock(&shoot_lock)) {
		tlb_poll();
		cpu_relax();
	}
	for (uint32_t i = 0; i < n; i++)
		if (i != me)
			others |= 1ull << i;
	__atomic_store_n(&shoot_va, va, __ATOMIC_RELAXED);
	__atomic_store_n(&shoot_pages, pages, __ATOMIC_RELAXED);
	__atomic_store_n(&shoot_mask, others, __ATOMIC_RELEASE);
	for (uint32_t i = 0; i < n; i++)
		if (i != me)
			apic_send_ipi(harts[i].apic_id, VEC_TLB);
	/* This hart too: its caller may have unmapped nothing here itself
	 * (kstack's batch holds pages that other harts unmapped, each
	 * flushing only its own TLB), and this hart may have used them. */
	flush_local(va, pages);
	while (__atomic_load_n(&shoot_mask, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&shoot_lock);
	irq_restore(irq);
}

/* Unmap, make every hart forget the mapping, and only then free the pages
 * (another hart must not reach a page through a stale translation once it
 * belongs to someone else). */
void tlb_unmap_and_free(uintptr_t base, unsigned pages)
{
	/* In batches: this may run on a one-page thread's stack. */
	uint64_t phys[8];

	for (unsigned done = 0; done < pages; done += 8) {
		unsigned n = pages - done < 8 ? pages - done : 8;
		uintptr_t va = base + (uintptr_t)done * PAGE_SIZE;

		for (unsigned i = 0; i < n; i++)
			phys[i] = vm_unmap_page(va + (uintptr_t)i * PAGE_SIZE);
		tlb_shootdown(va, n);
		for (unsigned i = 0; i < n; i++)
			if (phys[i])
				pmm_free_page(phys[i]);
	}
}
