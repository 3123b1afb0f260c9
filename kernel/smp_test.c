/*
 * Tests of several harts (tests/smp.t boots them with -smp 4): bring-up,
 * the sched= option, taking a hart out of the main scheduler, dedicating
 * one, cross-hart wake-ups and many threads signalling each other. Each
 * test needs a number of harts and says so (a diagnostic, and a pass) on a
 * machine with fewer.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/bootopt.h"
#include "kernel/cmdline.h"
#include "kernel/firmware.h"
#include "lib/string.h"
#include "lib/test.h"

#define DONE (1ull << 0)
#define GO (1ull << 1)
#define MS 1000000ull

static bool need_harts(uint32_t n)
{
	if (hart_count >= n)
		return true;
	test_diag("needs %u harts, this machine has %u: nothing to check", n, hart_count);
	return false;
}

static struct thread *spawn_on(void (*fn)(void *), void *arg, int hart, uint64_t notify_bits)
{
	struct thread_opts o = {.entry = fn, .arg = arg, .priority = PRIO_REGULAR,
				.hart = hart, .notify = notify_bits ? thread_current() : NULL,
				.notify_bits = notify_bits};
	struct thread *t = NULL;

	if (thread_spawn(&o, &t) != LM_OK)
		test_fail_bool(__FILE__, __LINE__, "thread_spawn succeeded");
	return t;
}

TEST(smp, every_listed_hart_is_up)
{
	uint32_t enabled = 0;

	for (uint32_t i = 0; i < firmware.cpu_count; i++)
		enabled += firmware.cpus[i].enabled;
	EXPECT_EQ(hart_count, enabled);
	for (uint32_t i = 0; i < hart_count; i++) {
		bool listed = false;

		for (uint32_t j = 0; j < firmware.cpu_count; j++)
			listed |= firmware.cpus[j].apic_id == harts[i].apic_id;
		EXPECT(listed);
		EXPECT(harts[i].idle != NULL);
		EXPECT_EQ(harts[i].id, i);
		test_diag("hart %u: APIC %u, %s", i, harts[i].apic_id,
			  (sched_harts >> i) & 1 ? "main scheduler" : "outside the scheduler");
	}
}

/* Wanderers: unpinned threads that yield in a loop and note every hart
 * they run on, until told to stop. */
#define WANDERERS 16
static volatile bool wander_stop;
static uint64_t wander_seen, wander_steps;
static volatile uint32_t watch_hart = HART_MAX;
static uint64_t wander_on_watched, wanderers_alive;

static void wanderer(void *arg)
{
	while (!wander_stop) {
		uint32_t h = this_hart()->id;

		__atomic_fetch_or(&wander_seen, 1ull << h, __ATOMIC_RELAXED);
		__atomic_fetch_add(&wander_steps, 1, __ATOMIC_RELAXED);
		/* Still there after reading watch_hart: not a stale look. */
		if (h == watch_hart && this_hart()->id == h)
			__atomic_fetch_add(&wander_on_watched, 1, __ATOMIC_RELAXED);
		thread_yield();
	}
	__atomic_fetch_sub(&wanderers_alive, 1, __ATOMIC_RELEASE);
}

static void wanderers_start(void)
{
	wander_stop = false;
	wander_seen = wander_steps = wander_on_watched = 0;
	watch_hart = HART_MAX;
	wanderers_alive = WANDERERS;
	for (int i = 0; i < WANDERERS; i++)
		spawn_on(wanderer, NULL, -1, 0);
}

static void wanderers_stop(void)
{
	wander_stop = true;
	while (__atomic_load_n(&wanderers_alive, __ATOMIC_ACQUIRE))
		timer_sleep_ns(MS);
}

/* Whether the wanderers step past steps within the liveness bound: the
 * work goes on. Usually at once; a host that keeps the harts' threads
 * waiting delays it, which is no failure. */
static bool wanderers_step_past(uint64_t steps)
{
	uint64_t end = plat_now_ns() + SCHED_TEST_LIVENESS_NS;

	while (__atomic_load_n(&wander_steps, __ATOMIC_RELAXED) <= steps) {
		if (plat_now_ns() >= end)
			return false;
		timer_sleep_ns(MS);
	}
	return true;
}

static void nothing(void *arg)
{
}

/* Put the main scheduler back as it was before a test changed it. */
static void restore_sched_harts(uint64_t mask)
{
	for (uint32_t i = 0; i < hart_count; i++)
		if (mask & (1ull << i))
			sched_hart_join(i);
	for (uint32_t i = 0; i < hart_count; i++)
		if (!(mask & (1ull << i)))
			sched_hart_leave(i);
}

/* With sched=0-1 on the command line (tests/smp.t), harts 2 and 3 run
 * nothing of the main scheduler's. */
TEST(smp, sched_option_keeps_other_harts_idle)
{
	const char *opt = bootopt_get("sched");
	uint64_t mask;
	char err[96];

	if (!opt) {
		test_diag("booted without sched=: every hart schedules");
		EXPECT_EQ(sched_harts, hart_count >= 64 ? ~0ull : (1ull << hart_count) - 1);
		return;
	}
	ASSERT_EQ(cmdline_parse_harts(opt, hart_count, &mask, err, sizeof err), LM_OK);
	EXPECT_EQ(sched_harts, mask);
	wanderers_start();
	timer_sleep_ns(50 * MS); /* time to spread; no bound on what they do in it */
	EXPECT(wanderers_step_past(0));
	wanderers_stop();
	test_diag("sched=%s: threads ran on harts 0x%llx", opt, (unsigned long long)wander_seen);
	EXPECT_EQ(wander_seen & ~mask, 0);
}

TEST(smp, removed_hart_runs_nothing_afterwards)
{
	uint64_t before = sched_harts, steps;
	uint32_t victim;

	if (!need_harts(3))
		return;
	victim = hart_count - 1;
	ASSERT_EQ(sched_hart_join(victim), LM_OK);
	wanderers_start();
	timer_sleep_ns(30 * MS);
	ASSERT_EQ(sched_hart_leave(victim), LM_OK);
	/* The hart sends its movable threads away when it next schedules,
	 * and keeps only pinned ones from then on. A thread pinned there
	 * runs only once it has: when it ends, the hart has scheduled since
	 * leaving, however long its host thread was kept waiting. */
	spawn_on(nothing, NULL, (int)victim, DONE);
	thread_wait(DONE);
	watch_hart = victim;
	steps = __atomic_load_n(&wander_steps, __ATOMIC_RELAXED);
	timer_sleep_ns(50 * MS); /* a while for a wanderer to turn up there */
	EXPECT(wanderers_step_past(steps)); /* work goes on */
	wanderers_stop();
	EXPECT_EQ(wander_on_watched, 0);
	EXPECT_EQ(rq_movable(&harts[victim].rq), 0);
	restore_sched_harts(before);
}

TEST(smp, last_scheduling_hart_cannot_leave)
{
	uint64_t before = sched_harts;

	for (uint32_t i = 1; i < hart_count; i++)
		sched_hart_leave(i);
	EXPECT_EQ(sched_harts, 1);
	EXPECT_EQ(sched_hart_leave(0), LM_ERR_BUSY);
	EXPECT_EQ(sched_harts, 1);
	EXPECT_EQ(sched_hart_leave(hart_count), LM_ERR_NOENT);
	restore_sched_harts(before);
	EXPECT_EQ(sched_harts, before);
}

/* The dedicated thread spins, checking that it never left its hart and
 * that nothing else ran there in between (its hart's current thread is
 * always itself when it looks). It spins for 100 ms, and on until it has
 * seen the wanderers step elsewhere meanwhile, up to the liveness bound. */
static volatile uint64_t dedicated_spins;
static volatile bool dedicated_alone;
static volatile bool dedicated_started;
static volatile bool dedicated_saw_others_go_on;

static void dedicated_worker(void *arg)
{
	uint32_t hart = (uint32_t)(uintptr_t)arg;
	uint64_t start = plat_now_ns(), now, steps;

	dedicated_alone = true;
	watch_hart = hart; /* from now on no wanderer may run here */
	steps = __atomic_load_n(&wander_steps, __ATOMIC_RELAXED);
	dedicated_started = true;
	do {
		if (this_hart()->id != hart || harts[hart].current != thread_current())
			dedicated_alone = false;
		dedicated_spins++;
		dedicated_saw_others_go_on = __atomic_load_n(&wander_steps, __ATOMIC_RELAXED) > steps;
		now = plat_now_ns();
	} while (now - start < 100 * MS ||
		 (!dedicated_saw_others_go_on && now - start < SCHED_TEST_LIVENESS_NS));
}

TEST(smp, dedicated_hart_runs_its_one_thread)
{
	uint32_t hart;
	struct thread_opts o = {.entry = dedicated_worker, .priority = PRIO_REGULAR,
				.name = "dedicated", .notify = thread_current(),
				.notify_bits = DONE};
	struct thread_opts other = {.entry = nothing, .priority = PRIO_REGULAR};
	uint64_t before = sched_harts;

	if (!need_harts(3))
		return;
	hart = hart_count - 1;
	o.arg = (void *)(uintptr_t)hart;
	dedicated_spins = 0;
	dedicated_started = false;
	dedicated_saw_others_go_on = false;
	wanderers_start();
	ASSERT_EQ(thread_spawn_dedicated(hart, &o, NULL), LM_OK);
	EXPECT_EQ(thread_spawn_dedicated(hart, &o, NULL), LM_ERR_BUSY);
	other.hart = (int)hart;
	EXPECT_EQ(thread_spawn(&other, NULL), LM_ERR_BUSY);
	EXPECT_EQ(sched_hart_join(hart), LM_ERR_BUSY);
	thread_wait(DONE);
	EXPECT(dedicated_saw_others_go_on); /* others went on while it ran */
	wanderers_stop();
	EXPECT(dedicated_spins > 0);
	EXPECT(dedicated_alone);
	EXPECT_EQ(wander_on_watched, 0);
	EXPECT(dedicated_started);
	EXPECT(__atomic_load_n(&harts[hart].dedicated, __ATOMIC_ACQUIRE) == NULL);
	EXPECT_EQ(sched_hart_join(hart), LM_OK);
	restore_sched_harts(before);
}

/* Wake-ups across harts: a thread pinned on hart 1 waits; this thread
 * (hart 0) gives its hart a moment to go idle and halt, then signals it,
 * WAKES times. Every signal must wake it (a lost wake-up leaves it waiting
 * for good, and the run hangs). How long a wake-up takes is a cost,
 * printed by bench.wake_idle_hart_2harts (core/sched_bench.c); here each
 * must only come within the liveness bound. */
#define WAKES 50
static uint64_t wake_sent;
static uint64_t wake_latency[WAKES];

static void wake_target(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < WAKES; i++) {
		thread_signal(main, GO);
		thread_wait(GO);
		wake_latency[i] = plat_now_ns() - __atomic_load_n(&wake_sent, __ATOMIC_ACQUIRE);
	}
}

TEST(smp, thread_woken_from_another_hart_runs)
{
	struct thread *t;

	if (!need_harts(2))
		return;
	t = spawn_on(wake_target, thread_current(), 1, DONE);
	for (int i = 0; i < WAKES; i++) {
		thread_wait(GO); /* it is about to wait */
		timer_sleep_ns(MS); /* its hart may halt: the wake-up is then an IPI */
		__atomic_store_n(&wake_sent, plat_now_ns(), __ATOMIC_RELEASE);
		thread_signal(t, GO);
	}
	thread_wait(DONE);
	for (int i = 0; i < WAKES; i++)
		EXPECT(wake_latency[i] < SCHED_TEST_LIVENESS_NS);
}

/* Tokens passed between threads on every hart: a thread with tokens
 * forwards each to the next thread and signals it. Signals coalesce, but a
 * lost wake-up would strand tokens with a waiting thread and the hop count
 * would stop short. At the end every token is still somewhere. */
#define STORM_THREADS 32
#define STORM_TOKENS 8
#define STORM_HOPS 20000
static struct thread *storm[STORM_THREADS];
static uint64_t storm_tokens[STORM_THREADS];
static uint64_t storm_hops;
static volatile bool storm_stop;
static uint64_t storm_alive;

static void storm_member(void *arg)
{
	uint32_t me = (uint32_t)(uintptr_t)arg, next = (me * 7 + 1) % STORM_THREADS;

	thread_wait(GO); /* every member exists */
	while (!storm_stop) {
		uint64_t got = __atomic_exchange_n(&storm_tokens[me], 0, __ATOMIC_ACQ_REL);

		if (!got) {
			thread_wait(GO);
			continue;
		}
		__atomic_fetch_add(&storm_hops, got, __ATOMIC_RELAXED);
		__atomic_fetch_add(&storm_tokens[next], got, __ATOMIC_ACQ_REL);
		thread_signal(storm[next], GO);
	}
	__atomic_fetch_sub(&storm_alive, 1, __ATOMIC_RELEASE);
}

TEST(smp, many_threads_signalling_lose_no_wake_up)
{
	uint64_t total = 0, deadline;

	storm_stop = false;
	storm_hops = 0;
	storm_alive = STORM_THREADS;
	for (int i = 0; i < STORM_THREADS; i++) {
		storm_tokens[i] = 0;
		storm[i] = spawn_on(storm_member, (void *)(uintptr_t)i, -1, 0);
	}
	for (int i = 0; i < STORM_TOKENS; i++)
		__atomic_fetch_add(&storm_tokens[i * STORM_THREADS / STORM_TOKENS], 1,
				   __ATOMIC_ACQ_REL);
	for (int i = 0; i < STORM_THREADS; i++)
		thread_signal(storm[i], GO);
	/* 20 s for 20,000 hops, a liveness bound only: they take well under
	 * a second in QEMU on a quiet machine. */
	deadline = plat_now_ns() + 2 * SCHED_TEST_LIVENESS_NS;
	while (__atomic_load_n(&storm_hops, __ATOMIC_RELAXED) < STORM_HOPS &&
	       plat_now_ns() < deadline)
		timer_sleep_ns(MS);
	EXPECT(__atomic_load_n(&storm_hops, __ATOMIC_RELAXED) >= STORM_HOPS);
	storm_stop = true;
	for (int i = 0; i < STORM_THREADS; i++)
		thread_signal(storm[i], GO);
	while (__atomic_load_n(&storm_alive, __ATOMIC_ACQUIRE))
		timer_sleep_ns(MS);
	for (int i = 0; i < STORM_THREADS; i++)
		total += storm_tokens[i];
	test_diag("%llu hops on harts 0x%llx", (unsigned long long)storm_hops,
		  (unsigned long long)sched_harts);
	EXPECT_EQ(total, STORM_TOKENS);
}
