/*
 * Tests of threads, the scheduler and events. Portable: they run in the
 * kernel (test=sched.*) and in the hosted runtime (build/tests/hosted_sched_test).
 */
#include "arch/context.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/signal.h"
#include "core/stack.h"
#include "core/thread.h"
#include "core/timer.h"
#include "lib/string.h"
#include "lib/test.h"

#define DONE SCHED_TEST_DONE /* a spawned thread ended */
#define PING (1ull << 1)

struct thread *sched_test_spawn(void (*fn)(void *), void *arg, enum thread_priority p,
				const char *name)
{
	struct thread_opts o = {.entry = fn, .arg = arg, .priority = p, .name = name,
				.hart = (int)this_hart()->id, .notify = thread_current(),
				.notify_bits = SCHED_TEST_DONE};
	struct thread *t = NULL;

	if (thread_spawn(&o, &t) != LM_OK)
		test_fail_bool(__FILE__, __LINE__, "thread_spawn succeeded");
	return t;
}

static struct {
	int order[16];
	int count;
} order_log;

static void record(void *arg)
{
	order_log.order[order_log.count++] = (int)(uintptr_t)arg;
}

struct conduct {
	enum thread_priority prios[8];
	int n;
	struct thread *parent;
};

/* Runs at Critical: spawns all, so none runs before the last is queued. */
static void conductor(void *arg)
{
	struct conduct *c = arg;

	for (int i = 0; i < c->n; i++) {
		struct thread_opts o = {.entry = record, .arg = (void *)(uintptr_t)i,
					.priority = c->prios[i], .hart = (int)this_hart()->id};
		thread_spawn(&o, NULL);
	}
}

static void run_conducted(struct conduct *c)
{
	order_log.count = 0;
	sched_test_spawn(conductor, c, PRIO_CRITICAL, "conductor");
	/* We are Regular: everything the conductor queued above us has run
	 * by the time we are back; equal priorities queue behind us. */
	while (order_log.count < c->n)
		thread_yield();
}

TEST(sched, priority_order)
{
	struct conduct c = {.prios = {PRIO_REGULAR, PRIO_USER, PRIO_REALTIME, PRIO_CRITICAL},
			    .n = 4};

	run_conducted(&c);
	ASSERT_EQ(order_log.count, 4);
	EXPECT_EQ(order_log.order[0], 3); /* Critical */
	EXPECT_EQ(order_log.order[1], 2); /* Realtime */
	EXPECT_EQ(order_log.order[2], 1); /* User */
	EXPECT_EQ(order_log.order[3], 0); /* Regular */
}

TEST(sched, fifo_within_a_priority)
{
	struct conduct c = {.prios = {PRIO_USER, PRIO_USER, PRIO_USER, PRIO_USER, PRIO_USER,
				      PRIO_USER},
			    .n = 6};

	run_conducted(&c);
	ASSERT_EQ(order_log.count, 6);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(order_log.order[i], i);
}

/*
 * runnext never runs before a more urgent thread queued after it: the
 * pick takes runnext without comparing priorities, because a more urgent
 * thread that joins the queues moves runnext's thread back to the front
 * of its own priority's queue. A Regular conductor (in runnext, so this
 * thread is left waiting) spawns a Regular thread, which takes runnext,
 * then a User one, which queues and runs at once; the Regular one runs
 * after it.
 */
static void runnext_conductor(void *arg)
{
	struct thread_opts o = {.entry = record, .priority = PRIO_REGULAR,
				.hart = (int)this_hart()->id};

	o.arg = (void *)0;
	thread_spawn(&o, NULL); /* Regular: takes runnext */
	o.arg = (void *)1;
	o.priority = PRIO_USER;
	thread_spawn(&o, NULL); /* User: queued, more urgent */
}

TEST(sched, a_more_urgent_thread_runs_before_runnext)
{
	order_log.count = 0;
	sched_test_spawn(runnext_conductor, NULL, PRIO_REGULAR, "conductor");
	thread_wait(DONE); /* the conductor has ended; the two are queued */
	while (order_log.count < 2)
		thread_yield();
	ASSERT_EQ(order_log.count, 2);
	EXPECT_EQ(order_log.order[0], 1); /* User */
	EXPECT_EQ(order_log.order[1], 0); /* Regular */
}

static volatile int parked_stage;

static void parker(void *arg)
{
	parked_stage = 1;
	thread_park();
	parked_stage = 2;
}

TEST(sched, park_and_unpark)
{
	struct thread *t;

	parked_stage = 0;
	t = sched_test_spawn(parker, NULL, PRIO_USER, "parker");
	/* User > Regular: it ran at once and parked. */
	EXPECT_EQ(parked_stage, 1);
	EXPECT_EQ(t->state, THREAD_WAITING);
	thread_unpark(t);
	/* Unparking a more urgent thread lets it run at once. */
	EXPECT_EQ(parked_stage, 2);
	thread_wait(DONE);
}

TEST(sched, unpark_before_park_is_remembered)
{
	thread_unpark(thread_current());
	thread_park(); /* returns at once */
	EXPECT_EQ(thread_current()->events & THREAD_EV_PARK, 0);
}

TEST(sched, wait_returns_and_clears_only_the_mask)
{
	struct thread *me = thread_current();

	thread_signal(me, 0x6);
	EXPECT_EQ(thread_wait(0x3), 0x2);
	EXPECT_EQ(me->events & 0x7, 0x4);
	EXPECT_EQ(thread_wait(0xff), 0x4);
	EXPECT_EQ(me->events & 0xff, 0);
	EXPECT_EQ(thread_wait(0), 0); /* waits for nothing: returns at once */
}

/*
 * A wake-up clears the woken thread's wait mask, and a signal tests that
 * mask alone to know whether its target waits (signal_set): so a second
 * signal, to a thread woken but not yet run, only sets bits. It must not
 * queue the thread twice (which would run it twice, or lose the queue);
 * the bits wait for its next look. The thread is of our priority, so
 * the wake-up does not switch to it; preemption stays off around the
 * signals so that nothing else runs it in between.
 */
#define POKE (1ull << 2)

static struct {
	int wakes;
	uint64_t got, later;
} woken_once;

static void wait_once(void *arg)
{
	woken_once.got = thread_wait(PING);
	woken_once.wakes++;
	woken_once.later = thread_take(PING | POKE);
}

TEST(sched, signal_to_a_woken_thread_only_sets_bits)
{
	struct thread *t;
	uint32_t ready;

	memset(&woken_once, 0, sizeof woken_once);
	t = sched_test_spawn(wait_once, NULL, PRIO_REGULAR, "wait-once");
	thread_yield(); /* it runs, and waits */
	ASSERT_EQ(t->state, THREAD_WAITING);
	sched_preempt_off();
	thread_signal(t, PING);
	EXPECT_EQ(t->state, THREAD_READY);
	EXPECT_EQ(t->wait_mask, 0);
	ready = rq_ready(&this_hart()->rq);
	thread_signal(t, PING);
	thread_signal(t, POKE);
	EXPECT_EQ(t->state, THREAD_READY);
	EXPECT_EQ(rq_ready(&this_hart()->rq), ready); /* not made ready again */
	sched_preempt_on();
	thread_wait(DONE);
	EXPECT_EQ(woken_once.wakes, 1);
	EXPECT_EQ(woken_once.got, PING); /* both PINGs: bits are not counts */
	EXPECT_EQ(woken_once.later, POKE);
}

struct pingpong {
	struct thread *a, *b;
	uint64_t rounds, seen_a, seen_b;
};

static void ponger(void *arg)
{
	struct pingpong *p = arg;

	for (uint64_t i = 0; i < p->rounds; i++) {
		thread_wait(PING);
		p->seen_b++;
		thread_signal(p->a, PING);
	}
}

TEST(sched, event_ping_pong_loses_nothing)
{
	struct pingpong p = {.a = thread_current(), .rounds = 20000};

	p.b = sched_test_spawn(ponger, &p, PRIO_REGULAR, "ponger");
	for (uint64_t i = 0; i < p.rounds; i++) {
		thread_signal(p.b, PING);
		thread_wait(PING);
		p.seen_a++;
	}
	EXPECT_EQ(p.seen_a, p.rounds);
	EXPECT_EQ(p.seen_b, p.rounds);
	thread_wait(DONE);
}

TEST(sched, yield_runs_equal_priority_in_turn)
{
	struct conduct c = {.prios = {PRIO_REGULAR, PRIO_REGULAR}, .n = 2};

	run_conducted(&c); /* Regular like us: they only run when we yield */
	EXPECT_EQ(order_log.count, 2);
}

/*
 * A yielder alone at its priority comes back through the runnext slot,
 * not the queue (sched_ready); one with others of its priority queued
 * goes behind them. Either way a yield is a turn: three threads of our
 * priority that log and yield in a loop run in strict rotation, the
 * first one spawned (which starts in runnext) first.
 */
#define TURNS 5

static struct {
	int log[3 * TURNS];
	int n, ended;
} turns;

static void take_turns(void *arg)
{
	for (int i = 0; i < TURNS; i++) {
		turns.log[turns.n++] = (int)(uintptr_t)arg;
		thread_yield();
	}
	turns.ended++; /* then its end signals DONE */
}

TEST(sched, yielders_take_turns_in_fifo_order)
{
	static const char *names[] = {"turns-0", "turns-1", "turns-2"};
	uint64_t t0 = plat_now_ns();

	memset(&turns, 0, sizeof turns);
	for (uintptr_t i = 0; i < 3; i++)
		sched_test_spawn(take_turns, (void *)i, PRIO_REGULAR, names[i]);
	while (turns.n < 3 * TURNS && plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS)
		thread_yield();
	ASSERT_EQ(turns.n, 3 * TURNS);
	for (int i = 0; i < 3 * TURNS; i++)
		EXPECT_EQ(turns.log[i], i % 3);
	while (turns.ended < 3) /* the three DONE signals may come as one */
		thread_wait(DONE);
}

/* A sleep ends at its deadline or after it, never before, and it ends:
 * within the liveness bound, not within any figure of milliseconds (how
 * late it wakes is a cost, printed by bench.sleep_lateness). */
TEST(sched, sleep_never_wakes_before_its_deadline)
{
	for (int i = 0; i < 5; i++) {
		uint64_t deadline = plat_now_ns() + 3000000;

		timer_sleep_until(deadline);
		ASSERT(plat_now_ns() >= deadline);
		EXPECT(plat_now_ns() - deadline < SCHED_TEST_LIVENESS_NS);
	}
}

/*
 * Sleepers wake in the order of their deadlines, whatever order they went
 * to sleep in: each deadline below goes in at the head, at the tail, or
 * between, walked to from the nearer end (core/timer.c). Equal deadlines
 * keep the order they came in. The deadlines are fixed before the sleepers
 * start; a try in which one of them passed before its sleeper slept (a slow
 * host), or in which a woken sleeper was preempted before it noted its
 * turn, proves nothing, so it is tried again with more room.
 */
#define SLEEPERS 12

static const uint8_t sleeper_at[SLEEPERS] = {50, 10, 90, 20, 80, 85, 15, 50, 5, 88, 95, 12};

static struct {
	uint64_t base, unit;
	int woke[SLEEPERS], n;
	bool late;
} sleepers;

static void sleeper(void *arg)
{
	int i = (int)(uintptr_t)arg;
	uint64_t deadline = sleepers.base + sleeper_at[i] * sleepers.unit;

	if (plat_now_ns() >= deadline)
		sleepers.late = true;
	timer_sleep_until(deadline);
	sleepers.woke[sleepers.n++] = i;
}

static bool sleepers_in_order(void)
{
	for (int k = 1; k < SLEEPERS; k++) {
		int a = sleepers.woke[k - 1], b = sleepers.woke[k];

		if (sleeper_at[a] > sleeper_at[b] || (sleeper_at[a] == sleeper_at[b] && a > b))
			return false;
	}
	return true;
}

TEST(sched, sleepers_wake_in_deadline_order)
{
	bool ok = false;

	for (uint64_t unit = 200000; unit <= 25600000 && !ok; unit *= 2) {
		memset(&sleepers, 0, sizeof sleepers);
		sleepers.unit = unit;
		sleepers.base = plat_now_ns() + 10 * unit;
		for (uintptr_t i = 0; i < SLEEPERS; i++)
			sched_test_spawn(sleeper, (void *)i, PRIO_REGULAR, "sleeper");
		while (sleepers.n < SLEEPERS) /* DONE signals may come as one */
			thread_wait(SCHED_TEST_DONE);
		ok = !sleepers.late && sleepers_in_order();
	}
	EXPECT(ok);
}

TEST(sched, wait_deadline_returns_bits_or_timeout)
{
	uint64_t t0 = plat_now_ns();

	EXPECT_EQ(timer_wait_until(0x10, t0 + 2000000), 0);
	EXPECT(plat_now_ns() >= t0 + 2000000);
	thread_signal(thread_current(), 0x10);
	/* A bit already there is returned whatever the deadline. */
	EXPECT_EQ(timer_wait_until(0x10, plat_now_ns() + SCHED_TEST_LIVENESS_NS), 0x10);
}

/*
 * A token passed around a ring of unpinned threads: with several harts the
 * members spread over them, so every pass may be a wake-up across harts.
 * No pass may be lost, and each member sees exactly its share.
 */
#define RING 8
#define RING_ROUNDS 3000
#define RING_END (1ull << 2)

static struct ring {
	struct thread *member[RING], *main;
	uint64_t passes[RING];
	uint32_t harts_seen; /* bit per hart a member ran on */
	uint32_t finished;
} ring;

static void ring_member(void *arg)
{
	int i = (int)(uintptr_t)arg;

	for (int r = 0; r < RING_ROUNDS; r++) {
		thread_wait(PING);
		ring.passes[i]++;
		__atomic_fetch_or(&ring.harts_seen, 1u << this_hart()->id, __ATOMIC_RELAXED);
		/* The very last pass goes back to the test, not to a member
		 * that has already ended. */
		if (i == RING - 1 && r == RING_ROUNDS - 1)
			thread_signal(ring.main, PING);
		else
			thread_signal(ring.member[(i + 1) % RING], PING);
	}
	if (__atomic_add_fetch(&ring.finished, 1, __ATOMIC_ACQ_REL) == RING)
		thread_signal(ring.main, RING_END);
}

TEST(sched, token_ring_across_harts_loses_nothing)
{
	uint64_t total = 0;

	memset(&ring, 0, sizeof ring);
	ring.main = thread_current();
	for (int i = 0; i < RING; i++) {
		struct thread_opts o = {.entry = ring_member, .arg = (void *)(uintptr_t)i,
					.priority = PRIO_REGULAR, .name = "ring", .hart = -1};
		ASSERT_EQ(thread_spawn(&o, &ring.member[i]), LM_OK);
	}
	thread_signal(ring.member[0], PING);
	thread_wait(PING);
	thread_wait(RING_END);
	for (int i = 0; i < RING; i++) {
		EXPECT_EQ(ring.passes[i], RING_ROUNDS);
		total += ring.passes[i];
	}
	EXPECT_EQ(total, (uint64_t)RING * RING_ROUNDS);
	test_diag("members ran on harts 0x%x (of %u)", ring.harts_seen, hart_count);
}

/* thread_list: a named thread is listed while it lives, with its state and
 * hart; an unnamed one never is; an ended one is gone. */
static bool listed(const char *name, struct thread_info *out)
{
	struct thread_info t[64];
	size_t n = thread_list(t, 64);

	for (size_t i = 0; i < n && i < 64; i++)
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i];
			return true;
		}
	return false;
}

TEST(sched, thread_list_names_the_living)
{
	struct thread_info info;
	struct thread *t;

	parked_stage = 0;
	t = sched_test_spawn(parker, NULL, PRIO_USER, "listed-parker");
	ASSERT(listed("listed-parker", &info));
	EXPECT_EQ(info.state, THREAD_WAITING);
	EXPECT_EQ(info.hart, this_hart()->id);
	EXPECT(info.pinned);
	EXPECT_EQ(info.id, t->id);
	thread_unpark(t);
	thread_wait(DONE);
	EXPECT(!listed("listed-parker", &info));
	t = sched_test_spawn(parker, NULL, PRIO_USER, NULL);
	EXPECT(thread_list(NULL, 0) < 64);
	EXPECT(!listed("", &info));
	thread_unpark(t);
	thread_wait(DONE);
}

/*
 * Signals racing waits across harts: two threads pinned to two harts pass
 * a token back and forth, the sender sometimes at once, sometimes after a
 * short spin, so that signals land before, during and after the other's
 * wait (its look at its bits, its switch, its sleep). Each wait is bounded
 * by the liveness limit: a lost signal is a timeout, counted, not a hang.
 */
#define RACE_ROUNDS 3000
#define RACE_TOKEN (1ull << 3)
#define RACE_START (1ull << 4)

static struct race {
	struct thread *side[2];
	uint64_t got[2], lost;
	uint32_t ended;
	struct thread *main;
} race;

static void racer(void *arg)
{
	int me = (int)(uintptr_t)arg;
	uint32_t seed = 12345u + (uint32_t)me;

	thread_wait(RACE_START); /* side[] is filled */
	for (int r = 0; r < RACE_ROUNDS; r++) {
		if (me == r % 2) {
			seed = seed * 1103515245u + 12345u;
			for (uint32_t spin = (seed >> 16) % 64; spin; spin--)
				__asm__ volatile("pause");
			thread_signal(race.side[!me], RACE_TOKEN);
		} else if (!timer_wait_until(RACE_TOKEN, plat_now_ns() + SCHED_TEST_LIVENESS_NS)) {
			__atomic_fetch_add(&race.lost, 1, __ATOMIC_RELAXED);
			break;
		} else {
			race.got[me]++;
		}
	}
	if (__atomic_add_fetch(&race.ended, 1, __ATOMIC_ACQ_REL) == 2)
		thread_signal(race.main, PING);
}

static void race_once(int hart0, int hart1)
{
	memset(&race, 0, sizeof race);
	race.main = thread_current();
	for (int i = 0; i < 2; i++) {
		struct thread_opts o = {.entry = racer, .arg = (void *)(uintptr_t)i,
					.priority = PRIO_REGULAR, .name = "racer",
					.hart = i ? hart1 : hart0};

		ASSERT_EQ(thread_spawn(&o, &race.side[i]), LM_OK);
	}
	thread_signal(race.side[0], RACE_START);
	thread_signal(race.side[1], RACE_START);
	thread_wait(PING);
	EXPECT_EQ(race.lost, 0);
	EXPECT_EQ(race.got[0] + race.got[1], (uint64_t)RACE_ROUNDS);
}

TEST(sched, signal_racing_wait_across_harts_loses_nothing)
{
	if (hart_count < 2) {
		test_diag("one hart: the race runs on one");
		race_once((int)this_hart()->id, (int)this_hart()->id);
		return;
	}
	race_once(0, 1);
	race_once(1, 0);
}

/*
 * Signals from another hart come through the waiters' hart's signal inbox,
 * a stack; the threads they wake must still be made ready in the order
 * they were signalled (a hosted hart's poll wakes a batch of connection
 * threads so, and last-ready-first would serve the same connections first
 * in every batch). Four threads wait on hart 0; a blocker keeps hart 0
 * from draining its inbox while a thread on hart 1 signals them in turn;
 * then they run in that turn.
 */
#define ORDER_WAITERS 4
#define ORDER_GO (1ull << 5)

static struct order {
	struct thread *waiter[ORDER_WAITERS], *main;
	uint32_t ran[ORDER_WAITERS], count;
	bool blocking, posted;
} order;

static void order_waiter(void *arg)
{
	thread_wait(ORDER_GO);
	order.ran[order.count++] = (uint32_t)(uintptr_t)arg; /* all on hart 0: in turn */
	if (order.count == ORDER_WAITERS)
		thread_signal(order.main, PING);
}

static void order_blocker(void *arg)
{
	__atomic_store_n(&order.blocking, true, __ATOMIC_RELEASE);
	for (uint64_t t0 = plat_now_ns(); !__atomic_load_n(&order.posted, __ATOMIC_ACQUIRE) &&
					  plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
		__asm__ volatile("pause");
}

static void order_poster(void *arg)
{
	for (int i = 0; i < ORDER_WAITERS; i++)
		thread_signal(order.waiter[i], ORDER_GO);
	__atomic_store_n(&order.posted, true, __ATOMIC_RELEASE);
}

TEST(sched, signals_from_another_hart_wake_in_the_order_sent)
{
	struct thread_opts o = {.priority = PRIO_REGULAR, .name = "order", .hart = 0};
	uint64_t t0;

	if (hart_count < 2) {
		test_diag("one hart: no other hart to signal from");
		return;
	}
	memset(&order, 0, sizeof order);
	order.main = thread_current();
	o.entry = order_waiter;
	for (uint32_t i = 0; i < ORDER_WAITERS; i++) {
		o.arg = (void *)(uintptr_t)i;
		ASSERT_EQ(thread_spawn(&o, &order.waiter[i]), LM_OK);
	}
	/* Each is waiting (else a signal would find it running, not queue it). */
	for (uint32_t i = 0; i < ORDER_WAITERS; i++)
		for (t0 = plat_now_ns(); __atomic_load_n(&order.waiter[i]->state, __ATOMIC_ACQUIRE) !=
						 THREAD_WAITING &&
					 plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
			timer_sleep_ns(1000000);
	o.entry = order_blocker;
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	for (t0 = plat_now_ns(); !__atomic_load_n(&order.blocking, __ATOMIC_ACQUIRE) &&
				 plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
		timer_sleep_ns(1000000);
	o.entry = order_poster;
	o.hart = 1;
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	EXPECT(timer_wait_until(PING, plat_now_ns() + SCHED_TEST_LIVENESS_NS) == PING);
	ASSERT_EQ(order.count, ORDER_WAITERS);
	for (uint32_t i = 0; i < ORDER_WAITERS; i++)
		EXPECT_EQ(order.ran[i], i);
}

/*
 * Spawn storms: a worker on every hart (up to four) spawns threads as
 * fast as it can, each pinned to its own hart, to another hart, or free to
 * move, and joins them all. Every thread runs once, and the count of live
 * threads and the stacks come back to where they were.
 */
#define STORM_HARTS 4
#define STORM_SPAWNS 3000

static struct storm {
	uint32_t workers;
	uint64_t ran;
	uint32_t done;
	struct thread *main;
} storm;

static void storm_child(void *arg)
{
	__atomic_fetch_add(&storm.ran, 1, __ATOMIC_RELAXED);
}

static void storm_worker(void *arg)
{
	uint32_t me = this_hart()->id, n = storm.workers;

	for (int i = 0; i < STORM_SPAWNS; i++) {
		int target = i % 3 == 0 ? -1 : i % 3 == 1 ? (int)me : (int)((me + 1) % n);
		struct thread_opts o = {.entry = storm_child, .priority = PRIO_REGULAR,
					.hart = target, .notify = thread_current(),
					.notify_bits = PING};

		if (thread_spawn(&o, NULL) != LM_OK)
			break;
		thread_wait(PING); /* joined: it ended */
	}
	if (__atomic_add_fetch(&storm.done, 1, __ATOMIC_ACQ_REL) == n)
		thread_signal(storm.main, PING);
}

TEST(sched, spawn_storm_on_every_hart_leaks_nothing)
{
	uint64_t live = sched_live_threads();

	memset(&storm, 0, sizeof storm);
	storm.main = thread_current();
	storm.workers = hart_count < STORM_HARTS ? hart_count : STORM_HARTS;
	for (uint32_t h = 0; h < storm.workers; h++) {
		struct thread_opts o = {.entry = storm_worker, .priority = PRIO_REGULAR,
					.name = "storm", .hart = (int)h};

		ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	}
	thread_wait(PING);
	EXPECT_EQ(storm.ran, (uint64_t)storm.workers * STORM_SPAWNS);
	/* The workers end after their last signal: give them that long. */
	for (uint64_t t0 = plat_now_ns();
	     sched_live_threads() != live && plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
		thread_yield();
	EXPECT_EQ(sched_live_threads(), live);
	test_diag("%u workers, %u spawns each", storm.workers, STORM_SPAWNS);
}

/*
 * runnext: a pair of movable threads in ping-pong stays on one hart (the
 * woken one runs in place of the waker, which blocks), and loses nothing.
 */
static struct pingpong_free {
	struct thread *a, *b;
	uint64_t rounds, apart;
	uint32_t b_hart;
} pf;

static void free_ponger(void *arg)
{
	for (uint64_t i = 0; i < pf.rounds; i++) {
		thread_wait(PING);
		__atomic_store_n(&pf.b_hart, this_hart()->id, __ATOMIC_RELAXED);
		thread_signal(pf.a, PING);
	}
}

/* Spawns its partner, which starts in its runnext slot, and plays. */
static void free_pinger(void *arg)
{
	struct thread *main = arg;
	struct thread_opts o = {.entry = free_ponger, .priority = PRIO_REGULAR,
				.name = "ponger", .hart = -1};

	pf.a = thread_current();
	if (thread_spawn(&o, &pf.b) != LM_OK) {
		test_fail_bool(__FILE__, __LINE__, "thread_spawn succeeded");
		thread_signal(main, PING);
		return;
	}
	for (uint64_t i = 0; i < pf.rounds; i++) {
		thread_signal(pf.b, PING);
		thread_wait(PING);
		if (__atomic_load_n(&pf.b_hart, __ATOMIC_RELAXED) != this_hart()->id)
			pf.apart++;
	}
	thread_signal(main, PING);
}

TEST(sched, free_ping_pong_pair_stays_on_one_hart)
{
	struct thread_opts p = {.entry = free_pinger, .arg = thread_current(),
				.priority = PRIO_REGULAR, .name = "pinger", .hart = -1};

	memset(&pf, 0, sizeof pf);
	pf.rounds = 5000;
	ASSERT_EQ(thread_spawn(&p, NULL), LM_OK);
	thread_wait(PING);
	/* An idle hart asking for work may take one of them now and then,
	 * but the pair does not cross harts at every message. */
	EXPECT(pf.apart < pf.rounds / 10);
	test_diag("%llu rounds, %llu of them with the pair on two harts",
		  (unsigned long long)pf.rounds, (unsigned long long)pf.apart);
}

/*
 * The runnext slot keeps whether its thread may move in the pointer's low
 * bit, which harts that ask for work read (rq_movable) without touching
 * the thread: a movable thread there counts as work to hand over, a
 * pinned one does not; both count as ready here. Preemption stays off so
 * that neither runs, nor moves, while we look.
 */
static void nothing_at_all(void *arg)
{
}

TEST(sched, runnext_offers_only_a_movable_thread_to_other_harts)
{
	struct hart *h;
	struct thread_opts o = {.entry = nothing_at_all, .priority = PRIO_REGULAR,
				.notify = thread_current(), .notify_bits = DONE};
	uint32_t movable, count;

	for (int pinned = 0; pinned < 2; pinned++) {
		sched_preempt_off();
		h = this_hart();
		if (!sched_in_scheduler(h->id) || h->rq.runnext ||
		    rq_best_queued(&h->rq) <= PRIO_REGULAR) {
			/* The slot is not ours to fill now (a thread of our
			 * priority waits here, or this hart stands apart). */
			sched_preempt_on();
			test_diag("runnext busy: nothing to check");
			return;
		}
		movable = rq_movable(&h->rq);
		count = rq_ready(&h->rq);
		o.hart = pinned ? (int)h->id : -1;
		ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
		EXPECT(h->rq.runnext != 0);
		EXPECT_EQ(rq_ready(&h->rq), count + 1);
		EXPECT_EQ(rq_movable(&h->rq), movable + (pinned ? 0 : 1));
		EXPECT_EQ(h->rq.runnext & RUNNEXT_MOVABLE, pinned ? 0u : RUNNEXT_MOVABLE);
		sched_preempt_on();
		thread_wait(DONE);
	}
}

/*
 * A thread that ends while it is on a signal inbox (posted to, not yet
 * delivered) is freed by the hart that takes it off, not at its switch:
 * made here with an ended thread's control block on a real stack page, as
 * sched_finish leaves one (DEAD, marked a zombie by signal_release). The
 * post goes to the hart it names; the drain there frees its page into
 * that hart's cache. Named for another hart, it is sent on there first.
 */
static struct thread *fake_ended_thread(uint32_t hart)
{
	uintptr_t base;
	struct thread *t;

	sched_preempt_off();
	base = stack_take(this_hart(), 1);
	sched_preempt_on();
	if (!base)
		return NULL;
	t = (struct thread *)((base + 4096 - sizeof *t) & ~(uintptr_t)63);
	memset(t, 0, sizeof *t);
	t->state = THREAD_DEAD;
	t->priority = PRIO_REGULAR;
	t->flags = THREAD_PINNED;
	t->hart = hart;
	t->stack_base = base;
	t->stack_top = (uintptr_t)t;
	t->stack_pages = 1;
	return t;
}

/* Stacks in hart's cache, once it holds want (or the liveness bound
 * passed): another hart frees the page when it next drains. */
static uint32_t cached_after(uint32_t hart, uint32_t want)
{
	uint64_t t0 = plat_now_ns();
	uint32_t n;

	while ((n = __atomic_load_n(&harts[hart].stack_cached, __ATOMIC_RELAXED)) != want &&
	       plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS)
		timer_sleep_ns(1000);
	return n;
}

#define DRAINED (1ull << 5)

/* Empties its hart's cache of stacks, says so, and stays (its own page
 * would go to that cache when it ends) until told to go. */
static void drain_cache(void *arg)
{
	stack_cache_drain();
	thread_signal(arg, DRAINED);
	thread_wait(PING);
}

TEST(sched, thread_ended_while_posted_to_is_freed_by_the_drain)
{
	struct thread_opts drainer = {.entry = drain_cache, .arg = thread_current(),
				      .priority = PRIO_REGULAR, .notify_bits = DONE};
	struct thread *t, *d;
	uint32_t before, other;

	stack_cache_drain(); /* room in this hart's cache */
	t = fake_ended_thread(this_hart()->id);
	ASSERT(t != NULL);
	sched_preempt_off();
	signal_post(t, PING); /* queued: sig_queued 0 -> 1 */
	EXPECT(!signal_release(t)); /* on an inbox: not freed at its switch */
	EXPECT(t->flags & THREAD_ZOMBIE);
	before = this_hart()->stack_cached;
	signal_drain(this_hart());
	EXPECT_EQ(this_hart()->stack_cached, before + 1);
	sched_preempt_on();

	if (hart_count < 2)
		return;
	/* Named for another hart: this one sends it on, that one frees it
	 * (into its cache, emptied first). */
	other = this_hart()->id ? 0 : 1;
	drainer.hart = (int)other;
	drainer.notify = thread_current();
	ASSERT_EQ(thread_spawn(&drainer, &d), LM_OK);
	thread_wait(DRAINED);
	t = fake_ended_thread(other);
	ASSERT(t != NULL);
	sched_preempt_off();
	__atomic_store_n(&t->sig_queued, 1, __ATOMIC_RELAXED);
	t->flags |= THREAD_ZOMBIE;
	/* On this hart's inbox, as a post made before it moved would be. */
	t->sig_next = __atomic_load_n(&this_hart()->rq.sig_inbox, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&this_hart()->rq.sig_inbox, &t->sig_next, t, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	before = harts[other].stack_cached; /* 0: drained, and nothing ended there since */
	signal_drain(this_hart());
	sched_preempt_on();
	EXPECT_EQ(cached_after(other, before + 1), before + 1);
	thread_signal(d, PING);
	thread_wait(DONE);
}

/*
 * A spawn on a page from the hart's stack cache leaves some fields of the
 * control block as the thread that ended there left them (core/thread.c,
 * spawn_block): every way a thread may use them must leave them as a
 * spawn sets them. Threads that take a name, a handle (given at spawn, or
 * made later), a timed wait that times out and one cut short, a wait
 * woken from here and one woken by a post (as from another hart) end on
 * one hart; every page in its cache must then hold a control block as
 * spawn_block would write it, and new threads on those pages find theirs
 * so.
 */
enum kept_role {
	KEPT_NAMED,
	KEPT_HANDLE,
	KEPT_OWN_HANDLE,
	KEPT_TIMEOUT,
	KEPT_TIMED_SIGNALLED,
	KEPT_SIGNALLED,
	KEPT_POSTED,
	KEPT_PLAIN,
	KEPT_ROLES
};

#define KEPT_WAITING (1ull << 1)
#define KEPT_GO (1ull << 2)

struct kept {
	struct thread *driver;
	enum kept_role role;
	bool found_kept; /* its control block was as spawn_block writes it */
};

/* Its own block, as a spawn leaves it (a named thread has its name). */
static bool kept_block_ok(const struct kept *k)
{
	struct thread *self = thread_current();

	return self->stack_pages == 1 && self->stack_base == ((uintptr_t)self & ~(uintptr_t)4095) &&
	       self->stack_top == (uintptr_t)self && !self->wait_mask && !self->sig_queued &&
	       !self->deadline && !self->handle && !self->events &&
	       (k->role == KEPT_NAMED) == (self->name[0] != 0);
}

static void kept_thread(void *arg)
{
	struct kept *k = arg;
	uint64_t handle;

	k->found_kept = k->role == KEPT_HANDLE || kept_block_ok(k);
	switch (k->role) {
	case KEPT_OWN_HANDLE:
		if (thread_current_handle(&handle) != LM_OK)
			k->found_kept = false;
		break;
	case KEPT_TIMEOUT:
		timer_wait_until(KEPT_GO, plat_now_ns() + 100000);
		break;
	case KEPT_TIMED_SIGNALLED:
		thread_signal(k->driver, KEPT_WAITING);
		timer_wait_until(KEPT_GO, plat_now_ns() + SCHED_TEST_LIVENESS_NS);
		break;
	case KEPT_SIGNALLED:
	case KEPT_POSTED:
		thread_signal(k->driver, KEPT_WAITING);
		thread_wait(KEPT_GO);
		break;
	default:
		break;
	}
}

/* Pages in this hart's cache, each checked (preemption off: the cache is
 * the hart's own); *bad counts those not as spawn_block would leave them. */
static uint32_t kept_cache_check(uint32_t *bad)
{
	uint32_t n = 0;

	sched_preempt_off();
	for (uintptr_t base = this_hart()->stack_cache; base; base = *(uintptr_t *)base, n++)
		*bad += !thread_block_kept(base);
	sched_preempt_on();
	return n;
}

/* The roles one after another, each spawned when the one before has
 * ended: a page in the cache is taken by the next spawn, so each thread
 * starts on the page the one before left (the first on any), and finds
 * its block as spawn_block writes it; and after each end, every page in
 * the cache (at least the one just left) holds a block as threads leave
 * it. */
static void kept_driver(void *arg)
{
	struct kept k[KEPT_ROLES];
	uint64_t handle = 0;
	uint32_t bad = 0;
	bool *ok = arg;

	stack_cache_drain(); /* room for the pages of the test */
	for (int r = 0; r < KEPT_ROLES; r++) {
		struct thread_opts o = {.entry = kept_thread, .arg = &k[r],
					.priority = PRIO_REGULAR, .hart = (int)this_hart()->id,
					.notify = thread_current(), .notify_bits = DONE};
		struct thread *t;

		k[r] = (struct kept){.driver = thread_current(), .role = (enum kept_role)r};
		if (r == KEPT_NAMED)
			o.name = "kept";
		if (r == KEPT_HANDLE)
			o.handle = &handle;
		if (thread_spawn(&o, &t) != LM_OK) {
			bad++;
			continue;
		}
		if (r == KEPT_TIMED_SIGNALLED || r == KEPT_SIGNALLED) {
			thread_wait(KEPT_WAITING);
			thread_signal(t, KEPT_GO);
		} else if (r == KEPT_POSTED) {
			thread_wait(KEPT_WAITING);
			sched_preempt_off();
			signal_post(t, KEPT_GO); /* as from another hart */
			sched_preempt_on();
		}
		thread_wait(DONE);
		bad += !k[r].found_kept;
		bad += !kept_cache_check(&bad); /* its page went to the cache */
	}
	*ok = !bad;
}

TEST(sched, a_cached_stack_page_keeps_what_a_new_thread_starts_with)
{
	bool ok = false;

	/* On one hart throughout: the cache looked at is that hart's. */
	sched_test_spawn(kept_driver, &ok, PRIO_REGULAR, NULL);
	thread_wait(DONE);
	EXPECT(ok);
}

/*
 * A thread's registers across every kind of switch: the scheduler's own
 * (a yield's switch is inline in sched_thread_yield, leaving rbx and
 * r12-r15 to its prologue; a wait's is ctx_wait_switch, resumed through
 * sched_wait_resume; an exit's is ctx_jump)
 * and every kind of resume (a thread that yielded, one that waited, a new
 * one). Twelve values live across each call, more than the registers a
 * call keeps, so some are in those registers and some on the stack; and
 * each thread sets its own MXCSR and x87 control word, which a switch
 * keeps per thread. A mistake in what the switch says it clobbers shows
 * as a changed value.
 */
#define REGS_ROUNDS 200
#define REGS_GO (1ull << 1)

static uint64_t regs_bad;

/* Control words k: MXCSR's rounding control (bits 13-14) k, the x87
 * precision control (bits 8-9) one of its valid values. */
static uint64_t regs_words(unsigned k)
{
	static const uint64_t precision[4] = {3, 2, 0, 2};

	return (CTX_MXCSR_DEFAULT | (uint64_t)(k & 3) << 13) |
	       ((CTX_FCW_DEFAULT & ~0x300ull) | precision[k & 3] << 8) << 32;
}

/* Twelve values, all live across each of `step`'s calls; returns how many
 * came back changed, the control words counted too. */
static uint64_t regs_hold(uint64_t seed, unsigned k, void (*step)(uint64_t), uint64_t arg)
{
	volatile uint64_t start = seed; /* not folded into constants */
	uint64_t v0 = start, v1 = v0 * 3 + 1, v2 = v1 * 3 + 1, v3 = v2 * 3 + 1,
		 v4 = v3 * 3 + 1, v5 = v4 * 3 + 1, v6 = v5 * 3 + 1, v7 = v6 * 3 + 1,
		 v8 = v7 * 3 + 1, v9 = v8 * 3 + 1, v10 = v9 * 3 + 1, v11 = v10 * 3 + 1;
	uint64_t bad = 0;

	ctx_set_control_words(regs_words(k));
	for (int i = 0; i < REGS_ROUNDS; i++) {
		step(arg);
		bad += v1 != v0 * 3 + 1;
		bad += v2 != v1 * 3 + 1;
		bad += v3 != v2 * 3 + 1;
		bad += v4 != v3 * 3 + 1;
		bad += v5 != v4 * 3 + 1;
		bad += v6 != v5 * 3 + 1;
		bad += v7 != v6 * 3 + 1;
		bad += v8 != v7 * 3 + 1;
		bad += v9 != v8 * 3 + 1;
		bad += v10 != v9 * 3 + 1;
		bad += v11 != v10 * 3 + 1;
		bad += v0 != start;
		bad += ctx_control_words() != regs_words(k);
	}
	ctx_set_control_words(CTX_MXCSR_DEFAULT | (uint64_t)CTX_FCW_DEFAULT << 32);
	return bad;
}

static void regs_nothing(void *arg)
{
	/* A new thread starts with the default words, whatever its spawner has. */
	__atomic_fetch_add(&regs_bad, ctx_control_words() !=
				      (CTX_MXCSR_DEFAULT | (uint64_t)CTX_FCW_DEFAULT << 32),
			   __ATOMIC_RELAXED);
}

/* A yield to a new thread, which ends: out by the inline switch, back by
 * ctx_jump from its exit. */
static void regs_spawn_yield(uint64_t unused)
{
	struct thread_opts o = {.entry = regs_nothing, .priority = PRIO_REGULAR,
				.hart = (int)this_hart()->id};

	if (thread_spawn(&o, NULL) != LM_OK)
		__atomic_fetch_add(&regs_bad, 1, __ATOMIC_RELAXED);
	thread_yield();
}

/* A signal and a wait, answered by the partner's wait and signal: out
 * and back by ctx_wait_switch, each resuming the other's wait. */
static void regs_ping(uint64_t partner)
{
	thread_signal((struct thread *)(uintptr_t)partner, REGS_GO);
	thread_wait(REGS_GO);
}

static void regs_pong(uint64_t partner)
{
	thread_wait(REGS_GO);
	thread_signal((struct thread *)(uintptr_t)partner, REGS_GO);
}

static void regs_yield(uint64_t unused)
{
	thread_yield();
}

static void regs_partner(void *arg)
{
	struct thread *main = arg;
	uint64_t bad;

	/* Answers main's pings, then yields in turn with it. */
	bad = regs_hold(0x9e3779b97f4a7c15ull, 2, regs_pong, (uint64_t)(uintptr_t)main);
	bad += regs_hold(0xc2b2ae3d27d4eb4full, 3, regs_yield, 0);
	__atomic_fetch_add(&regs_bad, bad, __ATOMIC_RELAXED);
}

TEST(sched, every_switch_keeps_a_thread_s_registers_and_control_words)
{
	struct thread *t;

	regs_bad = 0;
	t = sched_test_spawn(regs_partner, thread_current(), PRIO_REGULAR, NULL);
	ASSERT(t != NULL);
	thread_yield(); /* it waits for the first ping */
	EXPECT_EQ(regs_hold(0x243f6a8885a308d3ull, 1, regs_spawn_yield, 0), 0);
	EXPECT_EQ(regs_hold(0x13198a2e03707344ull, 1, regs_ping, (uint64_t)(uintptr_t)t), 0);
	EXPECT_EQ(regs_hold(0xa4093822299f31d0ull, 0, regs_yield, 0), 0);
	thread_wait(DONE);
	EXPECT_EQ(regs_bad, 0);
}
