/*
 * Hallway (see hallway.h).
 *
 * Slots fill in order. A registration writes its slot, then publishes the
 * new count with a release store; readers load the count with acquire and
 * read only slots below it. Registrations serialize on a spinlock (they are
 * rare), which also makes the duplicate check and the append one step.
 * Lookups are a scan of at most HALLWAY_MAX IDs, without locks.
 */
#include <stddef.h>

#include "arch/spinlock.h"
#include "core/hallway.h"
#include "core/platform.h"

static const struct lm_door *slots[HALLWAY_MAX];
static uint32_t count;
static struct spinlock lock = SPINLOCK_INIT;

uint32_t hallway_count(void)
{
	return __atomic_load_n(&count, __ATOMIC_ACQUIRE);
}

static const struct lm_door *find_in(const struct lm_api_id *id, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (lm_api_id_equal(&slots[i]->api_id, id))
			return slots[i];
	return NULL;
}

enum lm_err hallway_register(const struct lm_door *door)
{
	enum lm_err err = LM_OK;
	bool irq;

	if (!door || !door->name || lm_api_id_is_zero(&door->api_id))
		return LM_ERR_INVAL;
	irq = plat_irq_save();
	spin_lock(&lock);
	if (find_in(&door->api_id, count))
		err = LM_ERR_EXIST;
	else if (count == HALLWAY_MAX)
		err = LM_ERR_FULL;
	else {
		slots[count] = door;
		__atomic_store_n(&count, count + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&lock);
	plat_irq_restore(irq);
	return err;
}

const struct lm_door *hallway_find(const struct lm_api_id *id)
{
	if (!id || lm_api_id_is_zero(id))
		return NULL;
	return find_in(id, hallway_count());
}

const struct lm_door *hallway_list(uint64_t *cookie)
{
	if (!cookie || *cookie >= hallway_count())
		return NULL;
	return slots[(*cookie)++];
}
