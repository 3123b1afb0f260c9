/*
 * The harts door (sdk/idl/harts.idl): which harts the main scheduler uses,
 * dedicating a hart to one thread, and setting one apart for untrusted
 * processes. The policy lives in core/sched.c (sched_hart_join,
 * sched_hart_leave, thread_spawn_dedicated) and, for setting apart, in
 * kernel/process.c (plat_hart_set_apart); this is its interface for
 * programs.
 *
 * describe reads other harts' fields without their locks: each is one
 * aligned word, so the picture is of some recent moment, which is all a
 * listing can promise anyway.
 */
#include <lemmings/harts.h>

#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "services/service.h"

typedef void core_entry(void *arg); /* see services/threads.c */

static uint32_t door_count(void)
{
	return __atomic_load_n(&hart_count, __ATOMIC_ACQUIRE);
}

static harts_status door_describe(harts_hart id, struct harts_info *out)
{
	struct hart *h;

	if (id >= door_count())
		return LM_ERR_NOENT;
	if (!out)
		return LM_ERR_INVAL;
	h = &harts[id];
	out->id = id;
	out->apic_id = h->apic_id;
	if (__atomic_load_n(&h->dedicated, __ATOMIC_ACQUIRE))
		out->state = 2;
	else if (__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE) >> id & 1)
		out->state = 3;
	else
		out->state = (__atomic_load_n(&sched_harts, __ATOMIC_RELAXED) >> id) & 1 ? 0 : 1;
	/* Running its idle thread (its idle bit alone can stay set while an
	 * interrupt has it run threads from inside the idle loop). */
	out->idle = __atomic_load_n(&h->current_priority, __ATOMIC_RELAXED) == PRIO_IDLE;
	out->running = __atomic_load_n(&h->current_id, __ATOMIC_RELAXED); /* 0: idle */
	out->ready = rq_ready(&h->rq);
	return LM_OK;
}

static harts_status door_add(harts_hart id)
{
	return sched_hart_join(id);
}

static harts_status door_remove(harts_hart id)
{
	return sched_hart_leave(id);
}

static harts_dedicate_result door_dedicate(harts_hart id, harts_entry *entry, uintptr_t arg)
{
	uint64_t handle;
	struct thread_opts o = {.entry = (core_entry *)(void *)entry, .arg = (void *)arg,
				.priority = PRIO_REGULAR, .name = "dedicated",
				.handle = &handle};
	enum lm_err err;

	if (!entry)
		return LM_ERR_INVAL;
	/* A Threads-door handle, not the thread's address: the one name of
	 * it that stays safe once it may have ended. */
	err = thread_spawn_dedicated(id, &o, NULL);
	return err ? (harts_dedicate_result)err : (harts_dedicate_result)handle;
}

/* The same as the Process door's set_apart: one implementation, the
 * kernel's (kernel/process.c, through the platform). */
static harts_status door_set_apart(harts_hart id, uint32_t on)
{
	if (on > 1)
		return LM_ERR_INVAL;
	return plat_hart_set_apart(id, on);
}

static const struct harts_door harts_door = {
	.header = HARTS_DOOR_HEADER,
	.count = door_count,
	.describe = door_describe,
	.add = door_add,
	.remove = door_remove,
	.dedicate = door_dedicate,
	.set_apart = door_set_apart,
};

void services_harts_publish(void)
{
	service_register(&harts_door, "harts");
}
