/*
 * The threads door (sdk/idl/threads.idl): the scheduler's operations for
 * programs. Thread handles are the addresses of thread control blocks.
 *
 * Programs run with full privileges in the one address space, so a handle
 * is trusted to be one that spawn or current returned; the door checks
 * only what costs nothing (a handle below the null page is refused).
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
	struct thread *t;
	enum lm_err err;

	if (priority > THREADS_PRIORITY_MAX || stack_pages > 256 ||
	    (name && !threads_name_is_text(name)))
		return LM_ERR_INVAL;
	err = thread_spawn(&o, &t);
	return err ? (threads_spawn_result)err : (threads_spawn_result)(uintptr_t)t;
}

static void door_exit(void)
{
	thread_exit();
}

static threads_thread door_current(void)
{
	return (threads_thread)(uintptr_t)thread_current();
}

static void door_unpark(threads_thread t)
{
	if (t >= THREADS_THREAD_MIN)
		thread_unpark((struct thread *)t);
}

/* Programs use the event bits of THREAD_EV_USER_MASK; the others belong to
 * park/unpark, sleeps and the services, and are left alone. */
static void door_signal(threads_thread t, uint64_t bits)
{
	bits &= THREAD_EV_USER_MASK;
	if (t >= THREADS_THREAD_MIN && bits)
		thread_signal((struct thread *)t, bits);
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
