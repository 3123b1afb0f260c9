/*
 * The hosted Memory door's table of runs (see runtab.h for the model).
 */
#include <stddef.h>

#include "hosted/runtab.h"

static uint64_t home(const struct runtab *t, uint64_t addr)
{
	/* Runs start on page boundaries: mix the page number's bits. */
	uint64_t h = (addr >> 12) * 0x9e3779b97f4a7c15ull;

	return (h >> 32 ^ h) & t->mask;
}

void runtab_init(struct runtab *t, struct runtab_slot *slots, uint64_t capacity)
{
	t->slots = slots;
	t->mask = capacity - 1;
	t->count = 0;
}

/* The slot holding addr, or the empty slot that ends its probe. */
static uint64_t probe(const struct runtab *t, uint64_t addr)
{
	uint64_t i = home(t, addr);

	while (t->slots[i].addr && t->slots[i].addr != addr)
		i = (i + 1) & t->mask;
	return i;
}

enum lm_err runtab_add(struct runtab *t, uint64_t addr, uint64_t pages)
{
	uint64_t i;

	if (!addr || !pages)
		return LM_ERR_INVAL;
	i = probe(t, addr);
	if (t->slots[i].addr)
		return LM_ERR_EXIST;
	if (t->count + 1 > (t->mask + 1) / 4 * 3)
		return LM_ERR_FULL;
	t->slots[i] = (struct runtab_slot){addr, pages};
	t->count++;
	return LM_OK;
}

enum lm_err runtab_remove(struct runtab *t, uint64_t addr, uint64_t pages)
{
	uint64_t i, j;

	if (!addr)
		return LM_ERR_INVAL;
	i = probe(t, addr);
	if (t->slots[i].addr != addr || t->slots[i].pages != pages)
		return LM_ERR_INVAL;
	/* Shift back each later entry of the cluster whose home does not lie
	 * cyclically in (i, j]: it would be unreachable past the hole. */
	for (j = (i + 1) & t->mask; t->slots[j].addr; j = (j + 1) & t->mask) {
		uint64_t h = home(t, t->slots[j].addr);
		bool reachable = i <= j ? (h > i && h <= j) : (h > i || h <= j);

		if (!reachable) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = (struct runtab_slot){0, 0};
	t->count--;
	return LM_OK;
}
