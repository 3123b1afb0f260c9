/*
 * The Memory door, kernel home: runs of pages for programs and for DMA.
 *
 * A run is physically contiguous and handed out at its direct-map address
 * (arch/layout.h), so that its physical address is the address minus
 * DIRECT_MAP_BASE and giving it costs no page table. One page comes from
 * pmm_alloc_page (O(1)); a longer run, or any run below max_phys, from
 * pmm_alloc_run. Every run is physically contiguous here, asked for or not;
 * flags 1 only decides whether its physical address is reported. The price:
 * a long run can fail with LM_ERR_NOMEM while as many pages are free in
 * pieces (docs/memory.md).
 *
 * Owns two bitmaps with a bit per physical page (pmm_page_limit bits each):
 * `owned`, set on every page of every run the door has given and not taken
 * back, and `head`, set on the first page of each. A free must name an
 * exact run: its first page a head, every page owned, none of the others a
 * head, and the page after it not a continuation of it. Anything else (an
 * address outside the direct map, a kernel page, part of a run, a run freed
 * already) is LM_ERR_INVAL, and nothing changes.
 *
 * Zeroing: a freed run is cleared here before its pages return to pmm, so
 * no later owner (the kernel itself, which takes pages uncleared, or another
 * program) sees what a program left in them; a new run is cleared too,
 * because pmm's pages carry its free-list links and whatever the kernel left.
 *
 * Locking: door_lock (interrupts off) guards both bitmaps; pmm has its own.
 * Clearing and pmm calls happen outside door_lock.
 */
#include <stddef.h>

#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "core/systab.h"
#include "kernel/console.h"
#include "kernel/memory_door.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "services/service.h"

static uint8_t *owned, *head;
static uint64_t page_limit, table_phys, table_pages;
static struct spinlock door_lock = SPINLOCK_INIT;

static inline bool get(const uint8_t *map, uint64_t page)
{
	return map[page >> 3] & (1u << (page & 7));
}

static inline void put(uint8_t *map, uint64_t page, bool on)
{
	if (on)
		map[page >> 3] |= (uint8_t)(1u << (page & 7));
	else
		map[page >> 3] &= (uint8_t)~(1u << (page & 7));
}

static memory_status door_alloc(uint64_t pages, memory_flags flags, uint64_t max_phys,
				struct memory_run *out)
{
	uint64_t phys, first;
	bool irq;

	if (!owned)
		return LM_ERR_NOMEM; /* the boot had no room for the tables */
	if (!pages || flags > 1 || !systab_readable(out, sizeof *out))
		return LM_ERR_INVAL;
	if (pages > pmm_total_pages())
		return LM_ERR_NOMEM;
	phys = pages == 1 && !max_phys ? pmm_alloc_page() : pmm_alloc_run(pages, max_phys);
	if (!phys)
		return LM_ERR_NOMEM;
	memset(phys_to_virt(phys), 0, pages * PAGE_SIZE);
	first = phys / PAGE_SIZE;
	irq = plat_spin_lock(&door_lock);
	for (uint64_t i = 0; i < pages; i++) {
		put(owned, first + i, true);
		put(head, first + i, i == 0);
	}
	plat_spin_unlock(&door_lock, irq);
	*out = (struct memory_run){(uintptr_t)phys_to_virt(phys), flags ? phys : 0};
	return LM_OK;
}

/* Is [first, first + pages) exactly one run the door gave? Under door_lock. */
static bool is_run(uint64_t first, uint64_t pages)
{
	if (!get(head, first))
		return false;
	for (uint64_t i = 0; i < pages; i++)
		if (!get(owned, first + i) || (i && get(head, first + i)))
			return false;
	return first + pages >= page_limit || !get(owned, first + pages) ||
	       get(head, first + pages);
}

static memory_status door_free(uintptr_t addr, uint64_t pages)
{
	uint64_t first;
	bool irq, ok;

	if (!owned || addr < DIRECT_MAP_BASE || addr % PAGE_SIZE || !pages)
		return LM_ERR_INVAL;
	first = (addr - DIRECT_MAP_BASE) / PAGE_SIZE;
	if (first >= page_limit || pages > page_limit - first)
		return LM_ERR_INVAL;
	irq = plat_spin_lock(&door_lock);
	ok = is_run(first, pages);
	if (ok)
		for (uint64_t i = 0; i < pages; i++) {
			put(owned, first + i, false);
			put(head, first + i, false);
		}
	plat_spin_unlock(&door_lock, irq);
	if (!ok)
		return LM_ERR_INVAL;
	memset((void *)addr, 0, pages * PAGE_SIZE);
	pmm_free_run(first * PAGE_SIZE, pages);
	return LM_OK;
}

static memory_status door_query(struct memory_info *out)
{
	if (!systab_readable(out, sizeof *out))
		return LM_ERR_INVAL;
	*out = (struct memory_info){PAGE_SIZE, pmm_total_pages(), pmm_free_pages()};
	return LM_OK;
}

static const struct memory_door memory_door = {
	.header = MEMORY_DOOR_HEADER,
	.alloc = door_alloc,
	.free = door_free,
	.query = door_query,
};

const struct memory_door *memory_door_kernel(void)
{
	return &memory_door;
}

void memory_door_publish(void)
{
	uint64_t bytes;

	page_limit = pmm_page_limit();
	bytes = (page_limit + 7) / 8;
	table_pages = (2 * bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	table_phys = pmm_alloc_run(table_pages, 0);
	if (!table_phys) {
		kprintf("memory door: no room for its %llu-page tables; every alloc will fail\n",
			(unsigned long long)table_pages);
	} else {
		memset(phys_to_virt(table_phys), 0, table_pages * PAGE_SIZE);
		owned = phys_to_virt(table_phys);
		head = owned + bytes;
	}
	service_register(&memory_door, "memory");
}
