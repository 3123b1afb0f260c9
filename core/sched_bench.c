/*
 * Scheduler benchmarks, run in the kernel with `test=bench.*` and in the
 * hosted benchmark (make bench). Each prints BENCH lines in TSC cycles and
 * nanoseconds per operation; the latencies at the end (a sleep's lateness,
 * a wake-up across harts) per wake-up. In a QEMU without acceleration the
 * absolute figures mean little; the ratios to the bare register swap
 * (bench.swap) measured in the same run do.
 */
#include "arch/context.h"
#include "arch/cpu.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "lib/fmt.h"
#include "lib/test.h"

#define ROUNDS 20000
#define REPS 7

/* The loops measured, and the thread bodies they run against, each in a
 * function of its own that never straddles a page (one of at most 1 KiB,
 * aligned to 1 KiB): under QEMU's emulator a jump from one page to
 * another is not chained, so the same loop came out up to a tenth slower
 * in a build where, by the size of the code linked before it, it happened
 * to cross a page boundary. */
#define BENCH_LOOP __attribute__((noinline, aligned(1024)))

/* Each benchmark runs its loop REPS times; the median run is reported
 * (the first runs warm caches and clocks up; a median ignores outliers). */
struct bench_runs {
	uint64_t cycles[REPS], ns[REPS];
	int n;
};

static void run_begin(uint64_t *c0, uint64_t *n0)
{
	*c0 = rdtsc();
	*n0 = plat_now_ns();
}

static void run_end(struct bench_runs *r, uint64_t c0, uint64_t n0)
{
	r->cycles[r->n] = rdtsc() - c0;
	r->ns[r->n] = plat_now_ns() - n0;
	r->n++;
}

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static void report(const char *name, struct bench_runs *r, uint64_t ops)
{
	bench_report(name, median(r->cycles, r->n), median(r->ns, r->n), ops);
}

/*
 * The floor: two contexts swapping registers with ctx_switch, no scheduler.
 * Shaped as a thread switch is: the partner's stack is a page from the
 * thread stack allocator, and each side's saved stack pointer lives on its
 * own stack page (a thread's lives in its control block, at the top of its
 * page), so that the loop touches the same kinds of pages as a switch
 * between two threads (it used a static stack and global words). Under
 * QEMU on a shared machine this figure still comes out half as large
 * again in some boots while the scheduler's do not move (probably because
 * its loop lasts a few milliseconds, so that a stretch of host load lands
 * on all of its runs or none). Read the kernel's ratios over several boots.
 */
struct swap_pair {
	uint64_t *main_sp, *other_sp;
};

static struct swap_pair *swap_pair;

static BENCH_LOOP void swap_partner(void)
{
	uint64_t *mine = swap_pair->other_sp, *main_sp = swap_pair->main_sp;

	for (;;)
		ctx_switch(mine, *main_sp, NULL);
}

static BENCH_LOOP void swap_rounds(uint64_t *main_sp, uint64_t *other_sp)
{
	for (int i = 0; i < ROUNDS; i++)
		ctx_switch(main_sp, *other_sp, NULL);
}

TEST(bench, swap)
{
	uintptr_t base = plat_stack_alloc(1);
	uint64_t main_sp;
	struct swap_pair pair = {.main_sp = &main_sp};
	bool irq;
	struct bench_runs runs = {0};
	uint64_t c0, n0, *f, *other_sp;

	ASSERT(base != 0);
	irq = plat_irq_save();
	/* The partner's saved stack pointer at the top of its page, where a
	 * control block would be; its first frame below, which returns
	 * straight into swap_partner (not thread_start). */
	swap_pair = &pair;
	pair.other_sp = (uint64_t *)(base + 4096 - 64);
	*pair.other_sp = ctx_init_stack(base + 4096 - 64);
	f = (uint64_t *)*pair.other_sp;
	f[7] = (uint64_t)(uintptr_t)swap_partner;
	other_sp = pair.other_sp;
	ctx_switch(&main_sp, *other_sp, NULL);
	for (int rep = 0; rep < REPS; rep++) {
		run_begin(&c0, &n0);
		swap_rounds(&main_sp, other_sp);
		run_end(&runs, c0, n0);
	}
	report("swap_round_trip", &runs, ROUNDS);
	plat_irq_restore(irq);
	plat_stack_free(base, 1);
}

static BENCH_LOOP void nothing(void *arg)
{
}

static BENCH_LOOP void spawn_rounds(const struct thread_opts *o)
{
	for (int i = 0; i < ROUNDS; i++) {
		thread_spawn(o, NULL);
		thread_yield();
	}
}

TEST(bench, spawn_exit)
{
	struct thread_opts o = {.entry = nothing, .priority = PRIO_REGULAR,
				.hart = (int)this_hart()->id};
	struct bench_runs runs = {0};
	uint64_t c0, n0;

	for (int rep = 0; rep < REPS; rep++) {
		run_begin(&c0, &n0);
		spawn_rounds(&o);
		run_end(&runs, c0, n0);
	}
	report("spawn_exit", &runs, ROUNDS);
}

static BENCH_LOOP void parker(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < ROUNDS * REPS; i++) {
		thread_park();
		thread_unpark(main);
	}
}

static BENCH_LOOP void park_rounds(struct thread *t)
{
	for (int i = 0; i < ROUNDS; i++) {
		thread_unpark(t);
		thread_park();
	}
}

TEST(bench, park_unpark_round_trip)
{
	struct thread_opts o = {.entry = parker, .arg = thread_current(),
				.priority = PRIO_REGULAR, .hart = (int)this_hart()->id};
	struct bench_runs runs = {0};
	struct thread *t;
	uint64_t c0, n0;

	thread_spawn(&o, &t);
	thread_yield(); /* let it park */
	for (int rep = 0; rep < REPS; rep++) {
		run_begin(&c0, &n0);
		park_rounds(t);
		run_end(&runs, c0, n0);
	}
	report("park_unpark_round_trip", &runs, ROUNDS);
}

static BENCH_LOOP void ponger(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < ROUNDS * REPS; i++) {
		thread_wait(2);
		thread_signal(main, 2);
	}
}

static BENCH_LOOP void ping_rounds(struct thread *t)
{
	for (int i = 0; i < ROUNDS; i++) {
		thread_signal(t, 2);
		thread_wait(2);
	}
}

/* Signal a ponger, wait for its answer; ROUNDS times in each run. The
 * ponger is pinned to hart, or free to move with hart -1. */
static enum lm_err ping_pong_with(const char *name, int hart)
{
	struct thread_opts o = {.entry = ponger, .arg = thread_current(),
				.priority = PRIO_REGULAR, .hart = hart};
	struct bench_runs runs = {0};
	struct thread *t;
	uint64_t c0, n0;
	enum lm_err err = thread_spawn(&o, &t);

	if (err)
		return err;
	for (int rep = 0; rep < REPS; rep++) {
		run_begin(&c0, &n0);
		ping_rounds(t);
		run_end(&runs, c0, n0);
	}
	report(name, &runs, ROUNDS);
	return LM_OK;
}

static void ping_pong(const char *name, uint32_t hart)
{
	ASSERT_EQ(ping_pong_with(name, (int)hart), LM_OK);
}

TEST(bench, event_ping_pong)
{
	ping_pong("event_ping_pong", this_hart()->id);
}

/* The same ping-pong with the partner pinned to another hart: each signal
 * wakes a thread on a hart that is (usually) idle, so this is the cross-hart
 * wake-up round trip: an IPI in the kernel, a kick (and a futex wake if the
 * hart went to sleep) in the hosted runtime. Needs two harts. */
TEST(bench, event_ping_pong_2harts)
{
	if (hart_count < 2) {
		test_diag("event_ping_pong_2harts: skipped, one hart");
		return;
	}
	ping_pong("event_ping_pong_2harts", this_hart()->id ? 0 : 1);
}

/* The same ping-pong with two harts and neither thread pinned, the pair
 * started on one hart: Go's GOMAXPROCS=2 case. Each thread wakes the
 * other and blocks at once, so the woken one runs in its place (runnext)
 * and the pair need not cross harts; an idle hart may still take one. */
static void free_pinger(void *arg)
{
	struct thread *done = arg;

	ping_pong_with("event_ping_pong_free_2harts", -1);
	thread_signal(done, 1);
}

TEST(bench, event_ping_pong_free_2harts)
{
	struct thread_opts o = {.entry = free_pinger, .arg = thread_current(),
				.priority = PRIO_REGULAR, .hart = -1};

	if (hart_count < 2) {
		test_diag("event_ping_pong_free_2harts: skipped, one hart");
		return;
	}
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	thread_wait(1);
}

/* Spawn + exit throughput with 1, 2 and 4 harts (as many as there are): a
 * worker pinned on each hart spawns and reaps threads on its own hart; the
 * figure is the wall time per spawn+exit over all of them, so perfect
 * scaling halves it with each doubling. */
#define SPAWNS_PER_WORKER 20000

static void spawn_worker(void *arg)
{
	struct thread_opts o = {.entry = nothing, .priority = PRIO_REGULAR,
				.hart = (int)this_hart()->id};

	for (int i = 0; i < SPAWNS_PER_WORKER; i++) {
		thread_spawn(&o, NULL);
		thread_yield();
	}
}

TEST(bench, spawn_exit_harts)
{
	static const uint32_t sizes[] = {1, 2, 4};
	char name[32];

	for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		uint32_t k = sizes[s];
		struct bench_runs runs = {0};
		uint64_t c0, n0;

		if (k > hart_count)
			break;
		for (int rep = 0; rep < REPS; rep++) {
			uint64_t all = (1ull << k) - 1, seen = 0;

			run_begin(&c0, &n0);
			for (uint32_t h = 0; h < k; h++) {
				struct thread_opts o = {.entry = spawn_worker,
							.priority = PRIO_REGULAR, .hart = (int)h,
							.notify = thread_current(),
							.notify_bits = 1ull << h};
				ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
			}
			while (seen != all)
				seen |= thread_wait(all);
			run_end(&runs, c0, n0);
		}
		fmt_snprintf(name, sizeof name, "spawn_exit_%uhart%s", k, k > 1 ? "s" : "");
		report(name, &runs, (uint64_t)k * SPAWNS_PER_WORKER);
	}
}

/*
 * Latencies: the median and the worst of n tries, each reported as one
 * operation (bench_report with ops 1), the worst as name_worst. The tries
 * are sorted by nanoseconds, each one's cycles along with it, so that the
 * two figures of a line come from the same try. The worst is what the host
 * adds when it stops a hart's host thread for a while, and says more about
 * the host than about Lemmings. Tests assert only that these things happen
 * (core/sched_test.h: liveness bounds).
 */
static void report_latency(const char *name, uint64_t *cycles, uint64_t *ns, int n)
{
	char worst[48];

	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && ns[j] < ns[j - 1]; j--) {
			uint64_t t = ns[j], c = cycles[j];

			ns[j] = ns[j - 1], cycles[j] = cycles[j - 1];
			ns[j - 1] = t, cycles[j - 1] = c;
		}
	bench_report(name, cycles[n / 2], ns[n / 2], 1);
	fmt_snprintf(worst, sizeof worst, "%s_worst", name);
	bench_report(worst, cycles[n - 1], ns[n - 1], 1);
}

/* How late a sleep of 3 ms wakes after its deadline: the timer
 * interrupt's delivery and the wake-up, and under QEMU whatever the host
 * adds. (sched.sleep_never_wakes_before_its_deadline asserts the
 * behaviour: never early.) The TSC rate for the cycles figure comes from
 * each sleep itself: cycles and nanoseconds across the whole sleep. */
#define SLEEPS 21

TEST(bench, sleep_lateness)
{
	uint64_t cycles[SLEEPS], ns[SLEEPS];

	for (int i = 0; i < SLEEPS; i++) {
		uint64_t c0 = rdtsc(), n0 = plat_now_ns(), deadline = n0 + 3000000, c1, n1;

		timer_sleep_until(deadline);
		c1 = rdtsc();
		n1 = plat_now_ns();
		ASSERT(n1 >= deadline);
		ns[i] = n1 - deadline;
		/* cycles per ns, times 1024: no overflow for sleeps of hours */
		cycles[i] = ns[i] * ((c1 - c0) * 1024 / (n1 - n0)) / 1024;
	}
	report_latency("sleep_lateness", cycles, ns, SLEEPS);
}

/*
 * One-way latency of a wake-up across harts: a thread pinned on another
 * hart waits; this one sleeps 1 ms, long enough for that hart to go idle
 * (halt in the kernel, which an IPI ends; in the hosted runtime a futex
 * sleep after a 50 µs spin), then notes the time and signals it; the woken
 * thread notes when it runs. (smp.thread_woken_from_another_hart_runs
 * asserts the behaviour: every such wake-up happens.) Needs two harts.
 */
#define WAKES 50
#define WAKE_GO (1ull << 1)
static uint64_t wake_sent_ns, wake_sent_cycles;
static uint64_t wake_ns[WAKES], wake_cycles[WAKES];

static void wake_target(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < WAKES; i++) {
		uint64_t c, n;

		thread_signal(main, WAKE_GO);
		thread_wait(WAKE_GO);
		c = rdtsc(); /* the two clocks read in the signaller's order */
		n = plat_now_ns();
		wake_cycles[i] = c - __atomic_load_n(&wake_sent_cycles, __ATOMIC_ACQUIRE);
		wake_ns[i] = n - __atomic_load_n(&wake_sent_ns, __ATOMIC_ACQUIRE);
	}
}

TEST(bench, wake_idle_hart_2harts)
{
	struct thread_opts o = {.entry = wake_target, .arg = thread_current(),
				.priority = PRIO_REGULAR, .hart = this_hart()->id ? 0 : 1,
				.notify = thread_current(), .notify_bits = 1};
	struct thread *t;

	if (hart_count < 2) {
		test_diag("wake_idle_hart_2harts: skipped, one hart");
		return;
	}
	ASSERT_EQ(thread_spawn(&o, &t), LM_OK);
	for (int i = 0; i < WAKES; i++) {
		thread_wait(WAKE_GO); /* it is about to wait */
		timer_sleep_ns(1000000);
		__atomic_store_n(&wake_sent_cycles, rdtsc(), __ATOMIC_RELEASE);
		__atomic_store_n(&wake_sent_ns, plat_now_ns(), __ATOMIC_RELEASE);
		thread_signal(t, WAKE_GO);
	}
	thread_wait(1);
	report_latency("wake_idle_hart_2harts", wake_cycles, wake_ns, WAKES);
}
