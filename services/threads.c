/*
 * The threads door (sdk/idl/threads.idl): the scheduler's operations for
 * programs.
 *
 * Programs name threads by handle (core/handle.h), never by address: a
 * thread spawned here gets one before it can run, and a thread asking for
 * `current` gets one on first use. Every routine that takes a handle checks
 * it before touching the thread (thread_signal_handle), so a made-up,
 * mistyped or stale handle gets LM_ERR_INVAL or LM_ERR_NOENT, from any
 * caller, on any hart, even while the thread it named is ending.
 */
#include <lemmings/threads.h>

#include "core/thread.h"
#include "services/service.h"

/* A thread entry takes one 64-bit integer-class argument in both the IDL's
 * form (uintptr_t) and the core's (void *): in the System V ABI both travel
 * in rdi, so the core calls the program's entry directly. */
typedef void core_entry(void *arg);

static threads_spawn_result door_spawn(threads_entry *entry, uintptr_t arg,
				       threads_priority priority, uint32_t stack_pages,
				       threads_name name)
{
	struct thread_opts o = {
		.entry = (core_entry *)(void *)entry,
		.arg = (void *)arg,
		.priority = (enum thread_priority)priority,
		.stack_pages = stack_pages,
		.name = threads_name_is_text(name) ? (const char *)(uintptr_t)name : NULL,
		.hart = -1,
	};
	uint64_t handle;
	enum lm_err err;

	if (priority > THREADS_PRIORITY_MAX || stack_pages > 256 ||
	    (name && !threads_name_is_text(name)))
		return LM_ERR_INVAL;
	o.handle = &handle;
	err = thread_spawn(&o, NULL);
	return err ? (threads_spawn_result)err : (threads_spawn_result)handle;
}

static void door_exit(void)
{
	thread_exit();
}

static threads_current_result door_current(void)
{
	uint64_t handle;
	enum lm_err err = thread_current_handle(&handle);

	return err ? (threads_current_result)err : (threads_current_result)handle;
}

static threads_status door_unpark(threads_thread t)
{
	return thread_signal_handle(t, THREAD_EV_PARK);
}

/* Programs use the event bits of THREAD_EV_USER_MASK; the others belong to
 * park/unpark, sleeps and the services, and are left alone (the handle is
 * still checked, so no bits to raise is not a way to skip the check). */
static threads_status door_signal(threads_thread t, uint64_t bits)
{
	return thread_signal_handle(t, bits & THREAD_EV_USER_MASK);
}

static uint64_t door_wait(uint64_t mask)
{
	mask &= THREAD_EV_USER_MASK;
	return mask ? thread_wait(mask) : 0;
}

static const struct threads_door threads_door = {
	.header = THREADS_DOOR_HEADER,
	.spawn = door_spawn,
	.exit = door_exit,
	.yield = thread_yield,
	.current = door_current,
	.park = thread_park,
	.unpark = door_unpark,
	.signal = door_signal,
	.wait = door_wait,
};

void services_threads_publish(void)
{
	service_register(&threads_door, "threads");
}
