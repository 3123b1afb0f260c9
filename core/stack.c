/*
 * Thread stacks (see stack.h): what is not inline there.
 *
 * Each hart keeps up to STACK_CACHE freed one-page stacks of its own,
 * linked through their first word. Only the hart itself touches its cache,
 * with preemption or interrupts off (core/sched.h; no interrupt handler
 * touches it), so the cache takes no lock; other harts only read its count
 * (atomically, for stack_cached).
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/stack.h"

uint64_t stack_cached(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < HART_MAX; i++)
		n += __atomic_load_n(&harts[i].stack_cached, __ATOMIC_RELAXED);
	return n;
}

void stack_cache_drain(void)
{
	bool irq = plat_irq_save();
	struct hart *h = this_hart();

	while (h->stack_cache)
		plat_stack_free(stack_cache_take(h), 1);
	plat_irq_restore(irq);
}
