/*
 * x86-64 four-level page tables for the kernel half of the address space.
 *
 * vm_init builds the final tables: a direct map of every range of memory it
 * is given (RAM and firmware tables, from the boot loader's map) with 2 MiB
 * pages (read/write, no-execute), the kernel image with 4 KiB
 * pages and per-section permissions (text read+execute, rodata read-only,
 * data and bss read/write), and empty lower half. It also preallocates the
 * third-level tables of the thread-stack and program regions, so that their
 * top-level entries never change, and of the entry region, where it maps the
 * entry pages of the kernel's text a second time: that one top-level entry
 * is all of the kernel half an address space's tables hold (arch/uvm.h). The
 * entry data (.entry.bss: the kernel's CR3 value and each hart's entry
 * block) is mapped there too, after the text.
 *
 * vm_map_mmio maps device memory into the direct map on request. It counts
 * the page tables the range needs and allocates them all before it changes
 * any entry, so that running out of memory leaves the tables as they were
 * and costs nothing.
 *
 * Locking: vm_lock serializes changes to the tables (taken with interrupts
 * off). Lookups (vm_translate) take no lock: tables are never freed, and an
 * entry is written with one aligned store.
 *
 * Calls upward (arch/upcalls.h): pmm_alloc_zeroed_page and pmm_free_page for
 * page-table pages, panic when the boot's own tables cannot be built (and
 * when an invariant breaks).
 */
#include <stddef.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/upcalls.h"
#include "arch/vm.h"
#include "lib/string.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define HUGE_2M (2ull << 20)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];
extern char __entry_text_start[], __entry_text_end[];
extern char __entry_data_start[], __entry_data_end[];

static uint64_t *kernel_pml4;
static uint64_t nx_bit;
static uint64_t table_pages;
static struct spinlock vm_lock = SPINLOCK_INIT;
static unsigned mmio_fail_nth; /* test hook, under vm_lock; see vm.h */

/* Zeroed pages set aside for page tables, linked through their first word
 * (physical addresses; 0 ends the list). */
struct table_pool {
	uint64_t head;
};

bool vm_nx_enabled(void)
{
	return nx_bit != 0;
}

uint64_t vm_table_pages(void)
{
	return table_pages;
}

static inline unsigned idx(uintptr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* A zeroed page for a table: from pool if there is one (NULL when it is
 * empty), else from the page allocator (NULL when memory is out). */
static uint64_t *new_table(struct table_pool *pool)
{
	uint64_t phys;

	if (pool) {
		phys = pool->head;
		if (!phys)
			return NULL;
		pool->head = *(uint64_t *)phys_to_virt(phys);
		*(uint64_t *)phys_to_virt(phys) = 0; /* the rest is zero already */
	} else {
		phys = pmm_alloc_zeroed_page();
		if (!phys)
			return NULL;
	}
	table_pages++;
	return phys_to_virt(phys);
}

/* The table at `level` - 1 below entry *e, allocated (from pool, or the
 * page allocator when pool is NULL) if absent and create is set. */
static uint64_t *next_table(uint64_t *e, bool create, struct table_pool *pool)
{
	uint64_t *t;

	if (*e & PTE_P) {
		if (*e & PTE_PS)
			return NULL; /* a huge page: no table below */
		return phys_to_virt(*e & PTE_ADDR);
	}
	if (!create || !(t = new_table(pool)))
		return NULL;
	/* Intermediate entries allow everything; the leaf decides. */
	*e = virt_to_phys_direct(t) | PTE_P | PTE_W;
	return t;
}

/* Leaf entry for va at `level` (0 = 4 KiB, 1 = 2 MiB), or NULL. */
static uint64_t *walk_from(uintptr_t va, int level, bool create, struct table_pool *pool)
{
	uint64_t *t = kernel_pml4;

	for (int l = 3; l > level; l--) {
		t = next_table(&t[idx(va, l)], create, pool);
		if (!t)
			return NULL;
	}
	return &t[idx(va, level)];
}

static uint64_t *walk(uintptr_t va, int level, bool create)
{
	return walk_from(va, level, create, NULL);
}

static uint64_t leaf_bits(unsigned flags)
{
	uint64_t bits = PTE_P;

	if (flags & VM_WRITE)
		bits |= PTE_W;
	if (!(flags & VM_EXEC))
		bits |= nx_bit;
	if (flags & VM_UNCACHED)
		bits |= PTE_PCD | PTE_PWT;
	if (flags & VM_GLOBAL)
		bits |= PTE_G;
	return bits;
}

static void map_or_die(uintptr_t va, uint64_t phys, unsigned flags)
{
	uint64_t *e = walk(va, 0, true);

	if (!e)
		panic("vm: out of memory building the kernel page tables");
	*e = phys | leaf_bits(flags);
}

static void map_image(const char *start, const char *end, unsigned flags)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end; va += PAGE_SIZE)
		map_or_die(va, va - KERNEL_VIRT, flags | VM_GLOBAL);
}

/* Direct map [base, end) with 2 MiB pages, skipping chunks already mapped. */
static void map_direct(uint64_t base, uint64_t end)
{
	for (uint64_t p = base & ~(HUGE_2M - 1); p < end; p += HUGE_2M) {
		uint64_t *e = walk(DIRECT_MAP_BASE + p, 1, true);

		if (!e)
			panic("vm: out of memory building the direct map");
		if (!(*e & PTE_P))
			*e = p | PTE_PS | PTE_W | PTE_G | leaf_bits(VM_WRITE);
	}
}

static void prealloc_region(uintptr_t base, uint64_t size)
{
	for (uintptr_t va = base; va < base + size; va += 1ull << 39)
		if (!next_table(&kernel_pml4[idx(va, 3)], true, NULL))
			panic("vm: out of memory preallocating kernel tables");
}

void vm_init(const struct vm_range *direct, uint32_t count)
{
	nx_bit = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
	kernel_pml4 = new_table(NULL);
	if (!kernel_pml4)
		panic("vm: no memory for the top-level page table");

	for (uint32_t i = 0; i < count; i++)
		if (direct[i].end > direct[i].base)
			map_direct(direct[i].base, direct[i].end);

	map_image(__text_start, __text_end, VM_EXEC);
	map_image(__rodata_start, __rodata_end, VM_READ);
	map_image(__data_start, __bss_end, VM_WRITE);

	prealloc_region(STACKS_BASE, STACKS_SIZE);
	prealloc_region(PROGRAMS_BASE, PROGRAMS_SIZE);
	prealloc_region(ENTRY_BASE, ENTRY_SIZE);
	for (const char *p = __entry_text_start; p < __entry_text_end; p += PAGE_SIZE)
		map_or_die(ENTRY_BASE + (uintptr_t)(p - __entry_text_start),
			   (uintptr_t)p - KERNEL_VIRT, VM_EXEC);
	for (const char *p = __entry_data_start; p < __entry_data_end; p += PAGE_SIZE)
		map_or_die(ENTRY_DATA_BASE + (uintptr_t)(p - __entry_data_start),
			   (uintptr_t)p - KERNEL_VIRT, VM_WRITE);

	write_cr3(virt_to_phys_direct(kernel_pml4));
}

enum lm_err vm_map_page(uintptr_t va, uint64_t phys, unsigned flags)
{
	enum lm_err err = LM_OK;
	bool irq = irq_save();
	uint64_t *e;

	spin_lock(&vm_lock);
	e = walk(va, 0, true);
	if (!e)
		err = LM_ERR_NOMEM;
	else if (*e & PTE_P)
		err = LM_ERR_EXIST;
	else
		*e = (phys & PTE_ADDR) | leaf_bits(flags);
	spin_unlock(&vm_lock);
	irq_restore(irq);
	return err;
}

uint64_t vm_unmap_page(uintptr_t va)
{
	bool irq = irq_save();
	uint64_t phys = 0, *e;

	spin_lock(&vm_lock);
	e = walk(va, 0, false);
	if (e && (*e & PTE_P)) {
		phys = *e & PTE_ADDR;
		*e = 0;
		invlpg(va);
	}
	spin_unlock(&vm_lock);
	irq_restore(irq);
	return phys;
}

bool vm_translate(uintptr_t va, uint64_t *phys)
{
	uint64_t *t = kernel_pml4, e = 0;

	if (!t)
		return false;
	for (int l = 3; l >= 0; l--) {
		e = t[idx(va, l)];
		if (!(e & PTE_P))
			return false;
		if (l == 0 || (e & PTE_PS)) {
			uint64_t mask = (1ull << (12 + 9 * l)) - 1;
			if (phys)
				*phys = (e & PTE_ADDR & ~mask) | (va & mask);
			return true;
		}
		t = phys_to_virt(e & PTE_ADDR);
	}
	return false;
}

/* Is the page at va mapped, and writable at every level if write? */
static bool page_accessible(uintptr_t va, bool write)
{
	uint64_t *t = kernel_pml4, e;

	if (!t)
		return false;
	for (int l = 3; l >= 0; l--) {
		e = t[idx(va, l)];
		if (!(e & PTE_P) || (write && !(e & PTE_W)))
			return false;
		if (l == 0 || (e & PTE_PS))
			return true;
		t = phys_to_virt(e & PTE_ADDR);
	}
	return false;
}

bool vm_accessible(uintptr_t va, uint64_t len, bool write)
{
	uintptr_t end = va + len;

	if (end < va)
		return false;
	for (uintptr_t p = va & ~(uintptr_t)(PAGE_SIZE - 1); p < end; p += PAGE_SIZE)
		if (!page_accessible(p, write))
			return false;
	return true;
}

bool vm_readable(uintptr_t va, uint64_t len)
{
	return vm_accessible(va, len, false);
}

/* A link is stored as an offset into the stack region with bit 1 set, so
 * that the present bit (0) stays clear and "no link" is an all-zero entry. */
#define GUARD_LINK 2ull

void vm_guard_link_set(uintptr_t va, uintptr_t value)
{
	bool irq = irq_save();
	uint64_t *e;

	spin_lock(&vm_lock);
	e = walk(va, 0, true);
	if (!e || (*e & PTE_P))
		panic("vm: guard link at 0x%lx: %s", (unsigned long)va,
		      e ? "page is mapped" : "out of memory");
	*e = value ? ((value - STACKS_BASE) | GUARD_LINK) : 0;
	spin_unlock(&vm_lock);
	irq_restore(irq);
}

uintptr_t vm_guard_link_get(uintptr_t va)
{
	uint64_t *e = walk(va, 0, false);

	if (!e || !(*e & GUARD_LINK) || (*e & PTE_P))
		return 0;
	return STACKS_BASE + (*e & ~0xfffull);
}

/* Replace a 2 MiB mapping by a table (from pool) of 512 equivalent 4 KiB
 * mappings, so that one of them can get other attributes. */
static void split_huge(uint64_t *e, struct table_pool *pool)
{
	uint64_t *t = new_table(pool), base = *e & PTE_ADDR & ~(HUGE_2M - 1);
	uint64_t attrs = *e & ~PTE_ADDR & ~PTE_PS;

	if (!t)
		panic("vm: no table set aside for splitting a 2 MiB page");
	for (int i = 0; i < 512; i++)
		t[i] = (base + (uint64_t)i * PAGE_SIZE) | attrs;
	*e = virt_to_phys_direct(t) | PTE_P | PTE_W;
}

/* The page tables that mapping [first, end) of the direct map with 4 KiB
 * pages adds: at each level, one per entry without a table below it (a
 * 2 MiB page among them, which is split). Under vm_lock. */
static uint64_t mmio_tables_needed(uint64_t first, uint64_t end)
{
	uint64_t need = 0;

	for (int level = 3; level >= 1; level--) {
		uint64_t span = 1ull << (12 + 9 * level); /* what one entry maps */

		for (uint64_t p = first & ~(span - 1); p < end; p += span) {
			uint64_t *e = walk(DIRECT_MAP_BASE + p, level, false);

			if (!e || !(*e & PTE_P) || (*e & PTE_PS))
				need++;
		}
	}
	return need;
}

static void pool_free(struct table_pool *pool)
{
	while (pool->head) {
		uint64_t page = pool->head;

		pool->head = *(uint64_t *)phys_to_virt(page);
		pmm_free_page(page);
	}
}

/* Set aside n zeroed pages; false (with none kept) if memory runs out. The
 * test hook makes its chosen allocation fail. */
static bool pool_fill(struct table_pool *pool, uint64_t n, unsigned fail_nth)
{
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t page = i == fail_nth ? 0 : pmm_alloc_zeroed_page();

		if (!page) {
			pool_free(pool);
			return false;
		}
		*(uint64_t *)phys_to_virt(page) = pool->head;
		pool->head = page;
	}
	return true;
}

void vm_mmio_fail_table_alloc(unsigned nth)
{
	bool irq = irq_save();

	spin_lock(&vm_lock);
	mmio_fail_nth = nth;
	spin_unlock(&vm_lock);
	irq_restore(irq);
}

enum lm_err vm_map_mmio(uint64_t phys, uint64_t len, void **va)
{
	uint64_t first = phys & ~(uint64_t)(PAGE_SIZE - 1), end = phys + len;
	struct table_pool pool = {0};
	enum lm_err err = LM_OK;
	unsigned fail_nth;
	bool irq;

	if (!len)
		return LM_ERR_INVAL;
	if (end < phys || end > DIRECT_MAP_SIZE)
		return LM_ERR_RANGE;
	irq = irq_save();
	spin_lock(&vm_lock);
	fail_nth = mmio_fail_nth;
	mmio_fail_nth = 0;
	if (!pool_fill(&pool, mmio_tables_needed(first, end), fail_nth)) {
		err = LM_ERR_NOMEM;
		goto out;
	}
	for (uint64_t p = first; p < end; p += PAGE_SIZE) {
		uintptr_t v = DIRECT_MAP_BASE + p;
		uint64_t *big = walk_from(v, 1, true, &pool), *e;

		if (!big)
			panic("vm: mapping MMIO at 0x%llx: no table set aside (or a 1 GiB page)",
			      (unsigned long long)p);
		if ((*big & PTE_P) && (*big & PTE_PS))
			split_huge(big, &pool);
		e = walk_from(v, 0, true, &pool);
		if (!e)
			panic("vm: mapping MMIO at 0x%llx: no table set aside",
			      (unsigned long long)p);
		*e = p | leaf_bits(VM_WRITE | VM_UNCACHED);
		invlpg(v);
	}
	pool_free(&pool); /* empty: the count was exact */
	*va = phys_to_virt(phys);
out:
	spin_unlock(&vm_lock);
	irq_restore(irq);
	return err;
}

uint64_t vm_make_ap_boot_tables(void)
{
	uint64_t *pml4 = new_table(NULL), *pdpt = new_table(NULL), *pd = new_table(NULL);

	if (!pml4 || !pdpt || !pd)
		panic("vm: no memory for the start-up page tables");
	for (int i = 256; i < 512; i++)
		pml4[i] = kernel_pml4[i];
	pd[0] = PTE_P | PTE_W | PTE_PS; /* 0 - 2 MiB, executable */
	pdpt[0] = virt_to_phys_direct(pd) | PTE_P | PTE_W;
	pml4[0] = virt_to_phys_direct(pdpt) | PTE_P | PTE_W;
	return virt_to_phys_direct(pml4);
}

void vm_free_ap_boot_tables(uint64_t pml4_phys)
{
	uint64_t *pml4 = phys_to_virt(pml4_phys);
	uint64_t pdpt = pml4[0] & PTE_ADDR;
	uint64_t pd = ((uint64_t *)phys_to_virt(pdpt))[0] & PTE_ADDR;

	pmm_free_page(pd);
	pmm_free_page(pdpt);
	pmm_free_page(pml4_phys);
	table_pages -= 3;
}

void vm_switch_to_kernel_tables(void)
{
	write_cr3(virt_to_phys_direct(kernel_pml4));
}

uint64_t vm_kernel_cr3(void)
{
	return virt_to_phys_direct(kernel_pml4);
}

uint64_t vm_entry_slot(void)
{
	return kernel_pml4[idx(ENTRY_BASE, 3)];
}
