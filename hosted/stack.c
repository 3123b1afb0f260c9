/*
 * Thread stacks in the hosted runtime.
 *
 * Stacks are carved from large anonymous reservations (MAP_NORESERVE: the
 * memory is committed as pages are touched). Each slot is a guard page and
 * the stack pages. Linux counts every run of pages with different
 * protections as a separate mapping and limits their number (vm.max_map_count,
 * 65530 by default), and each guard splits a mapping in two: so only the
 * first GUARD_LIMIT slots get a PROT_NONE guard, the rest an ordinary page
 * left untouched (docs/hosted.md says what that means).
 *
 * Freed stacks go on a free list per size and are reused without any
 * system call: spawning a thread after another ended costs no syscall.
 * A new slot's mmap and mprotect run on the hart stack
 * (hosted/hart_stack.c), as the spawner may be a one-page thread.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>

#include "arch/spinlock.h"
#include "core/platform.h"
#include "hosted/hosted.h"

#define PAGE 4096
#define ARENA (256ull << 20)   /* reserved at a time */
#define GUARD_LIMIT 30000      /* half the default mapping limit */
#define MAX_PAGES 256

static struct spinlock lock = SPINLOCK_INIT;
static char *arena_next, *arena_end;
static uintptr_t free_lists[MAX_PAGES + 1]; /* stack base; link in first word */
static uint64_t guarded;

uint64_t hosted_guarded_stacks(void)
{
	return __atomic_load_n(&guarded, __ATOMIC_RELAXED);
}

static char *carve(size_t len)
{
	if (!arena_next || (size_t)(arena_end - arena_next) < len) {
		char *p = mmap(NULL, ARENA, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		arena_next = p;
		arena_end = p + ARENA;
	}
	arena_next += len;
	return arena_next - len;
}

struct slot_call {
	size_t len;
	char *slot;
};

/* A new slot with its guard, on the hart stack; lock held. */
static void new_slot_on_hart(void *arg)
{
	struct slot_call *c = arg;

	c->slot = carve(c->len);
	if (c->slot && guarded < GUARD_LIMIT && !mprotect(c->slot, PAGE, PROT_NONE))
		guarded++;
}

uintptr_t plat_stack_alloc(unsigned pages)
{
	uintptr_t base = 0;
	struct slot_call c;

	if (!pages || pages > MAX_PAGES)
		return 0;
	spin_lock(&lock);
	if (free_lists[pages]) {
		base = free_lists[pages];
		free_lists[pages] = *(uintptr_t *)base;
		spin_unlock(&lock);
		return base;
	}
	c.len = (size_t)(pages + 1) * PAGE;
	hosted_on_hart_stack(new_slot_on_hart, &c);
	spin_unlock(&lock);
	return c.slot ? (uintptr_t)c.slot + PAGE : 0;
}

void plat_stack_free(uintptr_t base, unsigned pages)
{
	spin_lock(&lock);
	*(uintptr_t *)base = free_lists[pages];
	free_lists[pages] = base;
	spin_unlock(&lock);
}
