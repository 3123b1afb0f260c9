/*
 * In-kernel tests of the service doors, called through the hallway as a
 * program would call them.
 */
#include <lemmings/boot_archive.h>
#include <lemmings/harts.h>
#include <lemmings/threads.h>
#include <lemmings/systab.h>
#include <lemmings/timer.h>

#include "core/handle.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "lib/test.h"

#define MS 1000000ull
#define SECONDS 1000000000ull

static const struct threads_door *threads(void)
{
	return threads_door_find();
}

static uint64_t child_ran;

static void child(uintptr_t arg)
{
	const struct threads_door *d = threads_door_find();

	child_ran = arg;
	threads_signal(d, (threads_thread)arg, 0x4);
}

TEST(services, threads_door_spawns_signals_and_waits)
{
	const struct threads_door *d = threads();
	threads_spawn_result r;

	ASSERT(d != NULL);
	EXPECT_STREQ(d->header.name, "threads");
	EXPECT_EQ(d->header.routine_count, THREADS_ROUTINE_COUNT);
	child_ran = 0;
	r = threads_spawn(d, child, threads_current(d), 3, 0, (threads_name)(uintptr_t)"child");
	ASSERT(threads_spawn_result_is_thread(r));
	EXPECT_EQ(threads_wait(d, 0x4), 0x4);
	EXPECT_EQ(child_ran, threads_current(d));
	/* Bad requests are refused with a reason, not a crash. */
	EXPECT_EQ(threads_spawn(d, child, 0, 9, 0, 0), LM_ERR_INVAL);
	EXPECT_EQ(threads_spawn(d, child, 0, 3, 100000, 0), LM_ERR_INVAL);
	EXPECT_EQ(threads_spawn(d, NULL, 0, 3, 0, 0), LM_ERR_INVAL);
	/* The system's own event bits are not for programs. */
	EXPECT_EQ(threads_wait(d, THREAD_EV_PARK), 0);
}

/* ---- thread handles: only a live thread's works ---- */

/* Unpark h until it names no thread (its thread has ended), yielding in
 * between, for up to five seconds (a slow emulator's harts may be
 * descheduled for a while): the last status. */
static threads_status unpark_until_gone(const struct threads_door *d, threads_thread h)
{
	uint64_t deadline = plat_now_ns() + 5 * SECONDS;
	threads_status s;

	while ((s = threads_unpark(d, h)) == LM_OK && plat_now_ns() < deadline)
		threads_yield(d);
	return s;
}

static void returns_at_once(uintptr_t arg)
{
}

/* Waits for 0x10, then tells its parent (arg, a handle) with 0x20. */
static void waits_then_answers(uintptr_t parent)
{
	const struct threads_door *d = threads_door_find();

	if (threads_wait(d, 0x10) == 0x10)
		threads_signal(d, (threads_thread)parent, 0x20);
}

/* A made-up value, a thread's address, an ended thread's handle and a
 * live thread's, to every routine that takes a handle (unpark, signal):
 * only the live one works, and nothing faults. */
TEST(services, threads_door_refuses_made_up_and_stale_handles)
{
	const struct threads_door *d = threads();
	const threads_thread made_up[] = {
		0x123456789000ull, THREADS_THREAD_MIN, ~0ull, 0xffffffff00000000ull,
		0x100000001ull << 20, (uintptr_t)thread_current(), (uintptr_t)d,
	};
	threads_current_result me = threads_current(d);
	threads_spawn_result gone, live;

	ASSERT(threads_current_result_is_thread(me));
	EXPECT_EQ(threads_current(d), me);
	/* Never handles: refused before anything they point at is read. */
	EXPECT_EQ(threads_unpark(d, 0x123456789000ull), LM_ERR_INVAL);
	EXPECT_EQ(threads_signal(d, 0x123456789000ull, 1), LM_ERR_INVAL);
	for (unsigned i = 0; i < sizeof made_up / sizeof made_up[0]; i++) {
		threads_status u = threads_unpark(d, made_up[i]);
		threads_status s = threads_signal(d, made_up[i], 1);

		EXPECT(u == LM_ERR_INVAL || u == LM_ERR_NOENT);
		EXPECT(s == LM_ERR_INVAL || s == LM_ERR_NOENT);
	}

	/* Ended: refused, also once its slot names another thread. */
	gone = threads_spawn(d, returns_at_once, 0, 3, 0, 0);
	ASSERT(threads_spawn_result_is_thread(gone));
	EXPECT_EQ(unpark_until_gone(d, gone), LM_ERR_NOENT);
	EXPECT_EQ(threads_signal(d, gone, 1), LM_ERR_NOENT);
	EXPECT_EQ(threads_signal(d, gone, 0), LM_ERR_NOENT);
	live = threads_spawn(d, waits_then_answers, me, 3, 0, 0);
	ASSERT(threads_spawn_result_is_thread(live));
	test_diag("an ended thread's handle %#llx, then a live one's %#llx",
		  (unsigned long long)gone, (unsigned long long)live);
	EXPECT(live != gone);
	EXPECT_EQ(threads_unpark(d, gone), LM_ERR_NOENT);
	EXPECT_EQ(threads_signal(d, gone, 0x10), LM_ERR_NOENT);
	/* The live one's slot with a later generation, and with an even one
	 * (never handed out): handles are index | generation << 32. */
	EXPECT_EQ(threads_signal(d, live + (2ull << 32), 0x10), LM_ERR_NOENT);
	EXPECT_EQ(threads_signal(d, live ^ (1ull << 32), 0x10), LM_ERR_INVAL);

	/* Live: it works, and the thread sees it. */
	EXPECT_EQ(threads_unpark(d, live), LM_OK);
	EXPECT_EQ(threads_signal(d, live, 0x10), LM_OK);
	EXPECT_EQ(threads_wait(d, 0x20), 0x20);
	EXPECT_EQ(unpark_until_gone(d, live), LM_ERR_NOENT);
	EXPECT_EQ(threads_signal(d, live, 0x10), LM_ERR_NOENT);
}

#define MANY 600 /* more than a page of handle slots (256) */

static void parks_once(uintptr_t arg)
{
	threads_park(threads_door_find());
}

/* Many threads with handles at once: each handle is its own and works,
 * and each is refused once its thread has ended. */
TEST(services, threads_door_gives_each_thread_its_own_handle)
{
	static threads_thread h[MANY];
	const struct threads_door *d = threads();
	unsigned same = 0, wrong = 0;

	for (unsigned i = 0; i < MANY; i++) {
		threads_spawn_result r = threads_spawn(d, parks_once, 0, 3, 0, 0);

		ASSERT(threads_spawn_result_is_thread(r));
		h[i] = r;
	}
	for (unsigned i = 0; i < MANY; i++)
		for (unsigned j = 0; j < i; j++)
			same += h[i] == h[j];
	EXPECT_EQ(same, 0);
	EXPECT(handle_slots() >= MANY); /* the table grew */
	for (unsigned i = 0; i < MANY; i++)
		wrong += threads_unpark(d, h[i]) != LM_OK;
	EXPECT_EQ(wrong, 0);
	for (unsigned i = 0; i < MANY; i++)
		wrong += unpark_until_gone(d, h[i]) != LM_ERR_NOENT;
	EXPECT_EQ(wrong, 0);
}

/* Signals racing with the ends of their targets, on every hart there is:
 * signallers unpark and signal handles of threads that end by themselves
 * while the test replaces them with new ones, until it has spawned
 * RACE_SPAWNS and every signaller has made calls (a signaller sent to a
 * hart whose host thread is slow to run, on a loaded machine, may start
 * only after the spawns of the quickest run are done). Every call gets
 * LM_OK or LM_ERR_NOENT; nothing faults or hangs. */
#define RACE_SIGNALLERS 3
#define RACE_TARGETS 8
#define RACE_SPAWNS 1000

static threads_thread race_targets[RACE_TARGETS];
static threads_thread race_main;
static bool race_done;
static uint64_t race_ok, race_gone, race_bad;
static uint32_t race_started; /* signallers that have made a call */

static void yields_a_little(uintptr_t arg)
{
	for (uintptr_t i = 0; i < arg; i++)
		threads_yield(threads_door_find());
}

static void race_signaller(uintptr_t k)
{
	const struct threads_door *d = threads_door_find();
	uint64_t ok = 0, gone = 0, bad = 0;

	for (unsigned i = 0; !__atomic_load_n(&race_done, __ATOMIC_RELAXED); i++) {
		threads_thread h = __atomic_load_n(&race_targets[(i + k) % RACE_TARGETS],
						   __ATOMIC_RELAXED);
		threads_status s = i & 1 ? threads_unpark(d, h) : threads_signal(d, h, 1);

		ok += s == LM_OK;
		gone += s == LM_ERR_NOENT;
		bad += s != LM_OK && s != LM_ERR_NOENT;
		if (i == 0)
			__atomic_fetch_add(&race_started, 1, __ATOMIC_RELAXED);
		if (i % 8 == 0)
			threads_yield(d);
	}
	__atomic_fetch_add(&race_ok, ok, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race_gone, gone, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race_bad, bad, __ATOMIC_RELAXED);
	threads_signal(d, race_main, 0x100ull << k);
}

TEST(services, threads_door_signals_race_safely_with_ends)
{
	const struct threads_door *d = threads();
	uint64_t all = 0, got = 0;
	uint32_t signallers = 0;
	threads_current_result me = threads_current(d);

	ASSERT(threads_current_result_is_thread(me));
	race_main = me;
	race_ok = race_gone = race_bad = 0;
	race_started = 0;
	race_done = false;
	for (unsigned i = 0; i < RACE_TARGETS; i++) {
		threads_spawn_result r = threads_spawn(d, yields_a_little, i, 3, 0, 0);

		ASSERT(threads_spawn_result_is_thread(r));
		race_targets[i] = r;
	}
	for (uintptr_t k = 0; k < RACE_SIGNALLERS; k++)
		if (threads_spawn_result_is_thread(threads_spawn(d, race_signaller, k, 3, 0, 0))) {
			all |= 0x100ull << k;
			signallers++;
		}
	EXPECT_EQ(all, ((1ull << RACE_SIGNALLERS) - 1) << 8);
	for (unsigned i = 0; i < RACE_SPAWNS ||
			    __atomic_load_n(&race_started, __ATOMIC_RELAXED) < signallers;
	     i++) {
		threads_spawn_result r = threads_spawn(d, yields_a_little, i % 32, 3, 0, 0);

		if (!threads_spawn_result_is_thread(r)) {
			EXPECT(threads_spawn_result_is_thread(r));
			break;
		}
		__atomic_store_n(&race_targets[i % RACE_TARGETS], r, __ATOMIC_RELAXED);
		threads_yield(d);
	}
	__atomic_store_n(&race_done, true, __ATOMIC_RELAXED);
	while (got != all)
		got |= threads_wait(d, all);
	test_diag("%llu signals reached a live thread, %llu an ended one, on %u harts",
		  (unsigned long long)race_ok, (unsigned long long)race_gone, hart_count);
	EXPECT_EQ(race_bad, 0);
	EXPECT(race_ok + race_gone > 0);
}

TEST(services, timer_door_waits_until_the_deadline)
{
	const struct timer_door *d = timer_door_find();
	timer_create_result t;
	uint64_t start, deadline;

	ASSERT(d != NULL);
	t = timer_create(d);
	ASSERT(timer_create_result_is_timer(t));
	start = timer_now(d);
	deadline = start + 3 * MS;
	EXPECT_EQ(timer_set(d, t, deadline), LM_OK);
	EXPECT_EQ(timer_wait(d, t), LM_OK);
	EXPECT(timer_now(d) >= deadline);
	EXPECT_EQ(timer_destroy(d, t), LM_OK);
	EXPECT_EQ(timer_destroy(d, t), LM_ERR_INVAL);
	EXPECT_EQ(timer_wait(d, t), LM_ERR_INVAL);
	EXPECT_EQ(timer_set(d, 0x1234, 1), LM_ERR_INVAL);
}

/* bytes points into the archive at what read copies, for the program list
 * when the archive has one (the kernel's has; a hosted test run may have
 * none), and refuses directories, unknown nodes and missing outs. */
TEST(services, boot_archive_door_bytes_is_what_read_copies)
{
	const struct boot_archive_door *d = boot_archive_door_find();
	static uint8_t copy[512];
	struct boot_archive_info info;
	const uint8_t *p = NULL;
	uint64_t size = 0, got = 0, n;

	ASSERT(d != NULL);
	EXPECT_EQ(boot_archive_bytes(d, boot_archive_root(d), &p, &size), LM_ERR_INVAL);
	EXPECT_EQ(boot_archive_bytes(d, 0x12345, &p, &size), LM_ERR_NOENT);
	if (boot_archive_lookup(d, (const uint8_t *)"/etc/programs", &info) != LM_OK) {
		test_diag("no /etc/programs in this archive: only the errors were tested");
		return;
	}
	EXPECT_EQ(boot_archive_bytes(d, info.node, NULL, &size), LM_ERR_INVAL);
	EXPECT_EQ(boot_archive_bytes(d, info.node, &p, NULL), LM_ERR_INVAL);
	ASSERT_EQ(boot_archive_bytes(d, info.node, &p, &size), LM_OK);
	EXPECT_EQ(size, info.size);
	n = size < sizeof copy ? size : sizeof copy;
	ASSERT_EQ(boot_archive_read(d, info.node, 0, copy, n, &got), LM_OK);
	EXPECT_EQ(got, n);
	for (uint64_t i = 0; i < n; i++) {
		if (p[i] != copy[i]) {
			test_diag("byte %llu differs", (unsigned long long)i);
			EXPECT(0);
			break;
		}
	}
	/* The same pointer every time: it is the archive, not a copy. */
	{
		const uint8_t *again = NULL;

		EXPECT_EQ(boot_archive_bytes(d, info.node, &again, &size), LM_OK);
		EXPECT(again == p);
	}
}

TEST(services, harts_door_lists_every_hart)
{
	const struct harts_door *d = harts_door_find();
	struct harts_info info;

	ASSERT(d != NULL);
	ASSERT_EQ(harts_count(d), hart_count);
	for (uint32_t i = 0; i < hart_count; i++) {
		ASSERT_EQ(harts_describe(d, i, &info), LM_OK);
		EXPECT_EQ(info.id, i);
		EXPECT_EQ(info.apic_id, harts[i].apic_id);
		test_diag("hart %u: APIC %u, %s, %s, running thread %llu, %u ready", info.id,
			  info.apic_id,
			  info.state == 0 ? "main scheduler" : info.state == 1 ? "outside" : "dedicated",
			  info.idle ? "halted" : "busy", (unsigned long long)info.running, info.ready);
	}
	EXPECT_EQ(harts_describe(d, hart_count, &info), LM_ERR_NOENT);
	EXPECT_EQ(harts_remove(d, 64), LM_ERR_NOENT);
	if (hart_count == 1)
		EXPECT_EQ(harts_remove(d, 0), LM_ERR_BUSY);
}

static volatile uint32_t dedicated_ran_on = ~0u;

static void on_dedicated_hart(uintptr_t main)
{
	dedicated_ran_on = this_hart()->id;
	threads_signal(threads_door_find(), (threads_thread)main, 0x8);
}

/* Through the door, as a program would: take a hart out, give it to one
 * thread, see the thread run there, and put the hart back. */
TEST(services, harts_door_dedicates_and_gives_back)
{
	const struct harts_door *d = harts_door_find();
	const struct threads_door *t = threads_door_find();
	const struct timer_door *clock = timer_door_find();
	struct harts_info info;
	harts_dedicate_result r;
	uint64_t give_back_by;
	uint32_t last;

	ASSERT(d != NULL && t != NULL && clock != NULL);
	if (harts_count(d) < 3) {
		test_diag("needs 3 harts, this machine has %u: nothing to check", harts_count(d));
		return;
	}
	last = harts_count(d) - 1;
	ASSERT_EQ(harts_describe(d, last, &info), LM_OK);
	if (info.state != 0) {
		test_diag("hart %u is not in the main scheduler here: nothing to check", last);
		return;
	}
	dedicated_ran_on = ~0u;
	r = harts_dedicate(d, last, on_dedicated_hart, threads_current(t));
	ASSERT(harts_dedicate_result_is_thread(r));
	EXPECT_EQ(threads_wait(t, 0x8), 0x8);
	EXPECT_EQ(dedicated_ran_on, last);
	/* What the door returned is a handle the Threads door takes: its
	 * thread is alive (LM_OK) or has just ended (LM_ERR_NOENT), never a
	 * value the door does not know (LM_ERR_INVAL). */
	{
		threads_status st = threads_signal(t, (threads_thread)r, 0x10);

		EXPECT(st == LM_OK || st == LM_ERR_NOENT);
	}
	/* The thread has ended (or is ending on its hart, which may take a
	 * while if the host keeps that hart waiting): the hart is back
	 * outside, within the liveness bound. */
	give_back_by = timer_now(clock) + SCHED_TEST_LIVENESS_NS;
	while (harts_describe(d, last, &info) == LM_OK && info.state == 2 &&
	       timer_now(clock) < give_back_by)
		threads_yield(t);
	EXPECT_EQ(info.state, 1);
	EXPECT_EQ(harts_add(d, last), LM_OK);
	ASSERT_EQ(harts_describe(d, last, &info), LM_OK);
	EXPECT_EQ(info.state, 0);
	EXPECT(harts_dedicate_result_is_error(harts_dedicate(d, 64, on_dedicated_hart, 0)));
}

/* Setting a hart apart through the Harts door: the kernel's rules are
 * kernel/process_test.c's; the hosted runtime has no untrusted processes
 * and says so, changing nothing. */
TEST(services, harts_door_set_apart_answers_in_either_home)
{
	const struct harts_door *d = harts_door_find();
	struct harts_info info;
	harts_status st;
	uint32_t last;

	ASSERT(d != NULL);
	last = harts_count(d) - 1;
	st = harts_set_apart(d, last, 1);
	if (st == LM_ERR_UNSUPPORTED) {
		EXPECT_EQ(__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE), 0);
		ASSERT_EQ(harts_describe(d, last, &info), LM_OK);
		EXPECT(info.state != 3);
		return;
	}
	/* The kernel: set apart (or refused as the last hart), then back. */
	EXPECT(st == LM_OK || st == LM_ERR_BUSY);
	if (st == LM_OK) {
		ASSERT_EQ(harts_describe(d, last, &info), LM_OK);
		EXPECT_EQ(info.state, 3);
		EXPECT_EQ(harts_set_apart(d, last, 0), LM_OK);
	}
}

/* LM_SYS_MEMORY_CHECK in either home: NULL and a range that wraps are
 * refused, an empty range is fine, and a live stack buffer may be read and
 * written. (Unmapped and read-only pages: kernel/systab_test.c.) */
TEST(services, memory_check_refuses_null_and_wrapping_ranges)
{
	char buf[64] = {0};

	EXPECT_EQ(lm_memory_check(buf, sizeof buf, true), LM_OK);
	EXPECT_EQ(lm_memory_check(buf, sizeof buf, false), LM_OK);
	EXPECT_EQ(lm_memory_check(NULL, 1, false), LM_ERR_FAULT);
	EXPECT_EQ(lm_memory_check(buf, (size_t)-16, true), LM_ERR_FAULT);
	EXPECT_EQ(lm_memory_check(NULL, 0, true), LM_OK);
}
