/*
 * The Memory door, hosted home: runs of pages from Linux (mmap, munmap).
 *
 * Each run is its own anonymous private mapping, so Linux's pages come
 * zeroed, and a run given back is unmapped: its pages return to Linux, which
 * clears them before any process (this one included) sees them again. That
 * is the whole zeroing story here.
 *
 * There is no physical memory to speak of: a physically contiguous run, or
 * one below max_phys, is LM_ERR_UNSUPPORTED. Counts are of a budget, not of
 * the machine: total_pages is the budget (the machine's RAM unless
 * hosted_memory_publish is given one: lemmings-hosted --memory),
 * free_pages the budget less the pages out, exact. A run is refused with
 * LM_ERR_NOMEM past the budget, or when Linux refuses the mapping.
 *
 * Owns the table of runs out (hosted/runtab.c), in a mapping of its own of
 * RUNS_MAX slots, so a free must name an exact run: anything else is
 * LM_ERR_INVAL and nothing is unmapped.
 *
 * Locking: door_lock guards the table and the count of pages out; Linux is
 * called outside it, on the hart stack (hosted/hart_stack.c).
 */
#include <sys/mman.h>
#include <unistd.h>

#include <lemmings/memory.h>

#include "arch/spinlock.h"
#include "core/platform.h"
#include "core/systab.h"
#include "hosted/hosted.h"
#include "hosted/memory_door.h"
#include "hosted/runtab.h"
#include "services/service.h"

#define PAGE 4096ull
#define RUNS_MAX (1ull << 18) /* slots; 3/4 of them usable */

static struct runtab runs;
static uint64_t budget, pages_out;
static struct spinlock door_lock = SPINLOCK_INIT;

struct linux_call {
	uint64_t addr, len;
	void *result;
};

static void map_on_hart(void *arg)
{
	struct linux_call *c = arg;

	c->result = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void unmap_on_hart(void *arg)
{
	struct linux_call *c = arg;

	munmap((void *)(uintptr_t)c->addr, c->len);
}

static void ram_on_hart(void *arg)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	*(uint64_t *)arg = pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / PAGE : 0;
}

static memory_status door_alloc(uint64_t pages, memory_flags flags, uint64_t max_phys,
				struct memory_run *out)
{
	struct linux_call c;
	enum lm_err err;
	bool irq;

	if (!pages || flags > 1 || !systab_readable(out, sizeof *out))
		return LM_ERR_INVAL;
	if (flags || max_phys)
		return LM_ERR_UNSUPPORTED; /* no physical addresses here */
	if (!runs.slots)
		return LM_ERR_NOMEM;
	irq = plat_spin_lock(&door_lock);
	err = pages > budget - pages_out ? LM_ERR_NOMEM : LM_OK;
	if (!err)
		pages_out += pages; /* held while Linux is asked */
	plat_spin_unlock(&door_lock, irq);
	if (err)
		return err;
	c = (struct linux_call){.len = pages * PAGE};
	hosted_on_hart_stack(map_on_hart, &c);
	irq = plat_spin_lock(&door_lock);
	err = c.result == MAP_FAILED ? LM_ERR_NOMEM
	      : runtab_add(&runs, (uint64_t)(uintptr_t)c.result, pages);
	if (err)
		pages_out -= pages;
	plat_spin_unlock(&door_lock, irq);
	if (err) {
		if (c.result != MAP_FAILED) {
			c.addr = (uint64_t)(uintptr_t)c.result;
			hosted_on_hart_stack(unmap_on_hart, &c);
		}
		return LM_ERR_NOMEM; /* out of Linux's memory or of table slots */
	}
	*out = (struct memory_run){(uintptr_t)c.result, 0};
	return LM_OK;
}

static memory_status door_free(uintptr_t addr, uint64_t pages)
{
	struct linux_call c = {.addr = addr, .len = pages * PAGE};
	enum lm_err err;
	bool irq;

	if (!runs.slots || !addr || addr % PAGE || !pages)
		return LM_ERR_INVAL;
	irq = plat_spin_lock(&door_lock);
	err = runtab_remove(&runs, addr, pages);
	plat_spin_unlock(&door_lock, irq);
	if (err)
		return LM_ERR_INVAL;
	hosted_on_hart_stack(unmap_on_hart, &c);
	irq = plat_spin_lock(&door_lock);
	pages_out -= pages;
	plat_spin_unlock(&door_lock, irq);
	return LM_OK;
}

static memory_status door_query(struct memory_info *out)
{
	bool irq;

	if (!systab_readable(out, sizeof *out))
		return LM_ERR_INVAL;
	irq = plat_spin_lock(&door_lock);
	*out = (struct memory_info){PAGE, budget, budget - pages_out};
	plat_spin_unlock(&door_lock, irq);
	return LM_OK;
}

static const struct memory_door memory_door = {
	.header = MEMORY_DOOR_HEADER,
	.alloc = door_alloc,
	.free = door_free,
	.query = door_query,
};

void hosted_memory_publish(uint64_t budget_pages)
{
	struct linux_call c = {.len = RUNS_MAX * sizeof(struct runtab_slot)};

	hosted_on_hart_stack(map_on_hart, &c); /* zero pages, touched as used */
	if (c.result != MAP_FAILED)
		runtab_init(&runs, c.result, RUNS_MAX);
	if (!budget_pages)
		hosted_on_hart_stack(ram_on_hart, &budget_pages);
	budget = budget_pages;
	service_register(&memory_door, "memory");
}
