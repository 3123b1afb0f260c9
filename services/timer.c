/*
 * The timer door (sdk/idl/timer.idl): the monotonic clock, and one-shot
 * timers a thread can arm and wait on.
 *
 * A timer is a slot in a fixed table (TIMER_SLOTS): create takes a free
 * slot, destroy gives it back. Waiting is the scheduler's sleep with a
 * deadline; setting a timer that a thread waits on wakes that thread so it
 * looks at the new deadline. Handles are slot addresses, checked against
 * the table before use, so a stale or made-up handle gets LM_ERR_INVAL.
 *
 * Locking: timer_lock guards the free list and each slot's fields.
 */
#include <lemmings/timer.h>

#include "arch/spinlock.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "services/service.h"

#define TIMER_SLOTS 1024
#define TIMER_REARMED THREAD_EV_SERVICE /* the deadline changed */

struct timer_slot {
	bool used;
	uint64_t deadline;       /* 0: not armed */
	struct thread *waiter;   /* the thread in wait, if any */
	struct timer_slot *next_free;
};

static struct timer_slot slots[TIMER_SLOTS];
static struct timer_slot *free_list;
static bool slots_ready;
static struct spinlock timer_lock = SPINLOCK_INIT;

/* The slot behind a handle, if it is one in use. Caller holds timer_lock. */
static struct timer_slot *slot_of(timer_timer handle)
{
	uintptr_t first = (uintptr_t)&slots[0], p = (uintptr_t)handle;

	if (p < first || p >= (uintptr_t)&slots[TIMER_SLOTS] ||
	    (p - first) % sizeof(struct timer_slot))
		return NULL;
	return ((struct timer_slot *)p)->used ? (struct timer_slot *)p : NULL;
}

static uint64_t door_now(void)
{
	return plat_now_ns();
}

static timer_create_result door_create(void)
{
	struct timer_slot *s;
	bool irq = plat_spin_lock(&timer_lock);

	if (!slots_ready) {
		for (int i = TIMER_SLOTS - 1; i >= 0; i--) {
			slots[i].next_free = free_list;
			free_list = &slots[i];
		}
		slots_ready = true;
	}
	s = free_list;
	if (s) {
		free_list = s->next_free;
		*s = (struct timer_slot){.used = true};
	}
	plat_spin_unlock(&timer_lock, irq);
	return s ? (timer_create_result)(uintptr_t)s : LM_ERR_FULL;
}

static timer_status door_set(timer_timer handle, uint64_t deadline)
{
	bool irq = plat_spin_lock(&timer_lock);
	struct timer_slot *s = slot_of(handle);
	struct thread *waiter = NULL;

	if (s) {
		s->deadline = deadline;
		waiter = s->waiter;
	}
	plat_spin_unlock(&timer_lock, irq);
	if (!s)
		return LM_ERR_INVAL;
	if (waiter)
		thread_signal(waiter, TIMER_REARMED);
	return LM_OK;
}

/* Sleep until the timer's deadline passes; an unarmed timer waits until it
 * is armed. LM_ERR_BUSY if another thread already waits on it. */
static timer_status door_wait(timer_timer handle)
{
	struct thread *self = thread_current();
	bool irq = plat_spin_lock(&timer_lock);
	struct timer_slot *s = slot_of(handle);
	uint64_t deadline;

	if (!s || (s->waiter && s->waiter != self)) {
		plat_spin_unlock(&timer_lock, irq);
		return s ? LM_ERR_BUSY : LM_ERR_INVAL;
	}
	s->waiter = self;
	for (;;) {
		deadline = s->deadline;
		if (deadline && plat_now_ns() >= deadline)
			break;
		plat_spin_unlock(&timer_lock, irq);
		if (deadline)
			timer_wait_until(TIMER_REARMED, deadline);
		else
			thread_wait(TIMER_REARMED);
		irq = plat_spin_lock(&timer_lock);
		if (!slot_of(handle)) { /* destroyed while we slept */
			plat_spin_unlock(&timer_lock, irq);
			return LM_ERR_INVAL;
		}
	}
	s->waiter = NULL;
	plat_spin_unlock(&timer_lock, irq);
	return LM_OK;
}

static timer_status door_destroy(timer_timer handle)
{
	bool irq = plat_spin_lock(&timer_lock);
	struct timer_slot *s = slot_of(handle);
	struct thread *waiter = NULL;

	if (s) {
		waiter = s->waiter;
		s->used = false;
		s->next_free = free_list;
		free_list = s;
	}
	plat_spin_unlock(&timer_lock, irq);
	if (waiter)
		thread_signal(waiter, TIMER_REARMED); /* it returns LM_ERR_INVAL */
	return s ? LM_OK : LM_ERR_INVAL;
}

static const struct timer_door timer_door = {
	.header = TIMER_DOOR_HEADER,
	.now = door_now,
	.create = door_create,
	.set = door_set,
	.wait = door_wait,
	.destroy = door_destroy,
};

void services_timer_publish(void)
{
	service_register(&timer_door, "timer");
}
