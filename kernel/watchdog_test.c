/*
 * The watchdog names a thread that keeps its hart while others wait there,
 * and says nothing of one that holds a hart nobody else wants.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/watchdog.h"
#include "lib/test.h"

#define MS 1000000ull
#define STRETCH (100 * MS)
#define LIVENESS (10000 * MS) /* how long the report may take, at most */
#define ENDED (1ull << 0)

static uint32_t spinning, stop;

static void spin(void *arg)
{
	__atomic_store_n(&spinning, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void nothing(void *arg)
{
}

static struct thread *spawn_on_hart1(void (*fn)(void *), uint64_t notify_bits)
{
	struct thread_opts o = {.entry = fn, .priority = PRIO_REGULAR, .hart = 1,
				.notify = thread_current(), .notify_bits = notify_bits};
	struct thread *t = NULL;

	if (thread_spawn(&o, &t) != LM_OK)
		test_fail_bool(__FILE__, __LINE__, "thread_spawn succeeded");
	return t;
}

/* Scan until the watchdog names thread id, or LIVENESS passes. */
static bool named_within_liveness(uint64_t id)
{
	uint64_t end = plat_now_ns() + LIVENESS;

	while (plat_now_ns() < end) {
		watchdog_scan(plat_now_ns(), STRETCH);
		if (watchdog_last_thread() == id)
			return true;
		timer_sleep_ns(10 * MS);
	}
	return false;
}

TEST(watchdog, names_a_thread_that_keeps_its_hart_from_others)
{
	struct thread *spinner;
	uint64_t id;

	if (hart_count < 2) {
		test_diag("needs 2 harts, this machine has %u: nothing to check", hart_count);
		return;
	}
	__atomic_store_n(&spinning, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
	spinner = spawn_on_hart1(spin, ENDED);
	id = spinner->id; /* read before it can end: it ends only when told */
	while (!__atomic_load_n(&spinning, __ATOMIC_ACQUIRE))
		timer_sleep_ns(MS);

	/* Alone on its hart: nobody waits, nothing to say, however long. */
	watchdog_scan(plat_now_ns(), STRETCH);
	timer_sleep_ns(3 * STRETCH);
	watchdog_scan(plat_now_ns(), STRETCH);
	EXPECT(watchdog_last_thread() != id);

	/* A thread of its priority waits behind it: now it is named. */
	spawn_on_hart1(nothing, ENDED << 1);
	EXPECT(named_within_liveness(id));

	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	thread_wait(ENDED);
	thread_wait(ENDED << 1);
}
