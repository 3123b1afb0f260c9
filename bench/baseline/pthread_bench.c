/*
 * POSIX thread baseline for make bench: the workloads of the hosted
 * Lemmings benchmarks (core/sched_bench.c), done with Linux threads, so that
 * bench/report can print the two side by side. Prints one line per figure:
 *
 *	BENCH pthread.<name> <value> <unit>
 *
 * Timing figures are the median of REPS runs of a loop (the first runs warm
 * caches and clocks up; a median ignores the outliers a shared machine
 * gives). Threads are pinned with pthread_setaffinity_np: both of a
 * ping-pong pair, or the creating thread of create_join, to one CPU (the
 * one-hart figures); or one to each of two CPUs (_2cpus, only when the
 * process may use two); create_join_any_cpu is not pinned. Memory figures are the growth, around
 * PARKED_THREADS threads blocked on a condvar, of the resident and virtual
 * size (/proc/self/statm), the page tables (VmPTE of /proc/self/status) and
 * the kernel stacks (KernelStack of /proc/meminfo, which is machine-wide).
 *
 * A workload that fails (thread creation refused, /proc unreadable) prints
 * a message naming the call and the error on stderr and no BENCH line; the
 * others still run, and the exit status is 1. Single-threaded apart from
 * the threads each workload starts and joins itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define REPS 7
#define CREATE_ROUNDS 2000
#define PINGPONG_ROUNDS 20000
/* A wake-up on another CPU costs tens of microseconds in a virtual machine
 * whose idle CPUs halt; fewer rounds keep the program within seconds. */
#define PINGPONG_2CPU_ROUNDS 2000
#define PARKED_THREADS 10000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

/* Nanoseconds per operation of the median run, one decimal as the hosted
 * benchmarks print them. */
static void report_ns(const char *name, uint64_t *run_ns, uint64_t ops)
{
	printf("BENCH pthread.%s %.1f ns\n", name, (double)median(run_ns, REPS) / (double)ops);
	fflush(stdout);
}

static void report_bytes(const char *name, long long bytes)
{
	printf("BENCH pthread.%s %lld bytes\n", name, bytes);
	fflush(stdout);
}

static int fail(const char *what, const char *call, int err)
{
	fprintf(stderr, "pthread-bench: %s: %s: %s\n", what, call, strerror(err));
	return -1;
}

/* ------------------------------------------------------------ create+join */

static void *empty_thread(void *arg)
{
	return arg;
}

static void cpu_only(cpu_set_t *set, int cpu)
{
	CPU_ZERO(set);
	CPU_SET(cpu, set);
}

/*
 * With cpu >= 0, main is pinned to that CPU and the new threads inherit
 * the pin, as the one-hart Lemmings figure runs on one CPU; with cpu < 0
 * Linux places each new thread where it likes, usually on an idle CPU it
 * must wake first. Main's affinity is put back to `all` afterwards.
 */
static int bench_create_join(const char *name, int cpu, const cpu_set_t *all)
{
	uint64_t runs[REPS];
	cpu_set_t set;
	int err = 0;

	if (cpu >= 0) {
		cpu_only(&set, cpu);
		err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
		if (err)
			return fail(name, "pthread_setaffinity_np", err);
	}
	for (int rep = 0; rep < REPS && !err; rep++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < CREATE_ROUNDS; i++) {
			pthread_t t;

			err = pthread_create(&t, NULL, empty_thread, NULL);
			if (err)
				break;
			pthread_join(t, NULL);
		}
		runs[rep] = now_ns() - t0;
	}
	pthread_setaffinity_np(pthread_self(), sizeof *all, all);
	if (err)
		return fail(name, "pthread_create", err);
	report_ns(name, runs, CREATE_ROUNDS);
	return 0;
}

/* ------------------------------------------------------------ ping-pong */

/*
 * One ping-pong pair. Main hands the turn to the partner and waits for it
 * back: one round trip is two wake-ups and two blocks. The condvar variant
 * keeps turn under lock; the futex variant uses `word` alone (0: main's
 * turn, 1: the partner's), read and written with atomics.
 */
struct pingpong {
	pthread_mutex_t lock;
	pthread_cond_t to_partner, to_main;
	int turn;
	uint32_t word;
	long rounds;
};

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* Block while *word still holds `val` (FUTEX_WAIT rechecks it in the
 * kernel, so a wake between the load and the wait is not lost). */
static void futex_wait_while(uint32_t *word, uint32_t val)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val)
		futex(word, FUTEX_WAIT, val);
}

static void futex_hand_over(uint32_t *word, uint32_t val)
{
	__atomic_store_n(word, val, __ATOMIC_RELEASE);
	futex(word, FUTEX_WAKE, 1);
}

static void *condvar_partner(void *arg)
{
	struct pingpong *p = arg;

	pthread_mutex_lock(&p->lock);
	for (long i = 0; i < p->rounds; i++) {
		while (p->turn != 1)
			pthread_cond_wait(&p->to_partner, &p->lock);
		p->turn = 0;
		pthread_cond_signal(&p->to_main);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void condvar_round_trip(struct pingpong *p)
{
	pthread_mutex_lock(&p->lock);
	p->turn = 1;
	pthread_cond_signal(&p->to_partner);
	while (p->turn != 0)
		pthread_cond_wait(&p->to_main, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

static void *futex_partner(void *arg)
{
	struct pingpong *p = arg;

	for (long i = 0; i < p->rounds; i++) {
		futex_wait_while(&p->word, 0);
		futex_hand_over(&p->word, 0);
	}
	return NULL;
}

static void futex_round_trip(struct pingpong *p)
{
	futex_hand_over(&p->word, 1);
	futex_wait_while(&p->word, 1);
}

/*
 * Runs REPS timed loops of `rounds` round trips, main pinned to main_cpu
 * and the partner to partner_cpu; main's own affinity is put back to `all`
 * afterwards.
 */
static int bench_pingpong(const char *name, bool use_futex, int main_cpu, int partner_cpu,
			  int rounds, const cpu_set_t *all)
{
	struct pingpong p = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.to_partner = PTHREAD_COND_INITIALIZER,
		.to_main = PTHREAD_COND_INITIALIZER,
		.rounds = (long)REPS * rounds,
	};
	uint64_t runs[REPS];
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t t;
	int err;

	cpu_only(&set, main_cpu);
	err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	if (err)
		return fail(name, "pthread_setaffinity_np", err);
	pthread_attr_init(&attr);
	cpu_only(&set, partner_cpu);
	err = pthread_attr_setaffinity_np(&attr, sizeof set, &set);
	if (!err)
		err = pthread_create(&t, &attr, use_futex ? futex_partner : condvar_partner, &p);
	pthread_attr_destroy(&attr);
	if (err) {
		pthread_setaffinity_np(pthread_self(), sizeof *all, all);
		return fail(name, "pthread_create", err);
	}
	for (int rep = 0; rep < REPS; rep++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < rounds; i++) {
			if (use_futex)
				futex_round_trip(&p);
			else
				condvar_round_trip(&p);
		}
		runs[rep] = now_ns() - t0;
	}
	pthread_join(t, NULL);
	pthread_setaffinity_np(pthread_self(), sizeof *all, all);
	report_ns(name, runs, (uint64_t)rounds);
	return 0;
}

/* ------------------------------------------------------------ memory */

struct parking {
	pthread_mutex_t lock;
	pthread_cond_t release_cond, arrived_cond;
	int arrived;
	bool release;
};

static void *parked_thread(void *arg)
{
	struct parking *pk = arg;

	pthread_mutex_lock(&pk->lock);
	pk->arrived++;
	pthread_cond_signal(&pk->arrived_cond);
	while (!pk->release)
		pthread_cond_wait(&pk->release_cond, &pk->lock);
	pthread_mutex_unlock(&pk->lock);
	return NULL;
}

/* Virtual and resident size of this process, in bytes. */
static int read_statm(long long *vsize, long long *rss)
{
	long long size_pages, rss_pages;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return fail("memory", "open /proc/self/statm", errno);
	n = fscanf(f, "%lld %lld", &size_pages, &rss_pages);
	fclose(f);
	if (n != 2) {
		fprintf(stderr, "pthread-bench: /proc/self/statm: expected two numbers at the start\n");
		return -1;
	}
	*vsize = size_pages * page;
	*rss = rss_pages * page;
	return 0;
}

/* The "<key> <n> kB" line of a /proc file in bytes, or -1 when it is not
 * there. */
static long long read_kb_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	size_t len = strlen(key);
	char line[128];
	long long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			if (sscanf(line + len + 1, "%lld", &kb) != 1)
				kb = -1;
			break;
		}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* What one measurement looks at; -1 where /proc did not say. */
struct footprint {
	long long vsize, rss, page_tables, kernel_stack;
};

static int read_footprint(struct footprint *fp)
{
	if (read_statm(&fp->vsize, &fp->rss))
		return -1;
	fp->page_tables = read_kb_field("/proc/self/status", "VmPTE");
	fp->kernel_stack = read_kb_field("/proc/meminfo", "KernelStack");
	return 0;
}

static void report_growth(const char *name, const char *part, long long before, long long after)
{
	char label[96];

	if (before < 0 || after < 0)
		return;
	snprintf(label, sizeof label, "%s%s", name, part);
	report_bytes(label, (after - before) / PARKED_THREADS);
}

/*
 * The figure for the table is the growth of the resident set plus the page
 * tables, as hosted/memory_test.c counts a parked Lemmings thread; the
 * parts, the virtual size and the kernel stacks (which the resident set
 * does not include) follow as separate lines.
 */
static void report_footprint(const char *name, const struct footprint *a,
			     const struct footprint *b)
{
	long long pte = 0;

	if (a->page_tables >= 0 && b->page_tables >= 0)
		pte = b->page_tables - a->page_tables;
	report_bytes(name, (b->rss - a->rss + pte) / PARKED_THREADS);
	report_growth(name, ".rss", a->rss, b->rss);
	report_growth(name, ".page_tables", a->page_tables, b->page_tables);
	report_growth(name, ".vsize", a->vsize, b->vsize);
	report_growth(name, ".kernel_stack", a->kernel_stack, b->kernel_stack);
}

/*
 * Starts PARKED_THREADS threads with the given stack size (0: glibc's
 * default, from RLIMIT_STACK) blocked on a condvar, and reports what they
 * cost per thread.
 */
static int bench_parked(const char *name, size_t stack_size)
{
	struct parking pk = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.release_cond = PTHREAD_COND_INITIALIZER,
		.arrived_cond = PTHREAD_COND_INITIALIZER,
	};
	pthread_t *threads = calloc(PARKED_THREADS, sizeof *threads);
	struct footprint before, after;
	pthread_attr_t attr;
	char label[96];
	int started = 0, err = 0, rc = 0;

	if (!threads)
		return fail(name, "calloc", ENOMEM);
	pthread_attr_init(&attr);
	if (stack_size)
		err = pthread_attr_setstacksize(&attr, stack_size);
	if (err || read_footprint(&before)) {
		pthread_attr_destroy(&attr);
		free(threads);
		return err ? fail(name, "pthread_attr_setstacksize", err) : -1;
	}
	for (; started < PARKED_THREADS; started++) {
		err = pthread_create(&threads[started], &attr, parked_thread, &pk);
		if (err)
			break;
	}
	pthread_mutex_lock(&pk.lock);
	while (pk.arrived < started)
		pthread_cond_wait(&pk.arrived_cond, &pk.lock);
	pthread_mutex_unlock(&pk.lock);
	if (err) {
		snprintf(label, sizeof label, "pthread_create (thread %d)", started);
		rc = fail(name, label, err);
	} else if (read_footprint(&after)) {
		rc = -1;
	} else {
		report_footprint(name, &before, &after);
	}
	pthread_mutex_lock(&pk.lock);
	pk.release = true;
	pthread_cond_broadcast(&pk.release_cond);
	pthread_mutex_unlock(&pk.lock);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_attr_destroy(&attr);
	free(threads);
	return rc;
}

/* ------------------------------------------------------------ main */

int main(void)
{
	cpu_set_t all;
	int cpus[2], ncpus = 0, failed = 0;

	if (sched_getaffinity(0, sizeof all, &all)) {
		fail("pthread-bench", "sched_getaffinity", errno);
		return 1;
	}
	for (int c = 0; c < CPU_SETSIZE && ncpus < 2; c++)
		if (CPU_ISSET(c, &all))
			cpus[ncpus++] = c;

	failed |= bench_create_join("create_join", cpus[0], &all);
	failed |= bench_create_join("create_join_any_cpu", -1, &all);
	failed |= bench_pingpong("condvar_ping_pong", false, cpus[0], cpus[0],
				 PINGPONG_ROUNDS, &all);
	failed |= bench_pingpong("futex_ping_pong", true, cpus[0], cpus[0], PINGPONG_ROUNDS, &all);
	if (ncpus == 2) {
		failed |= bench_pingpong("condvar_ping_pong_2cpus", false, cpus[0], cpus[1],
					 PINGPONG_2CPU_ROUNDS, &all);
		failed |= bench_pingpong("futex_ping_pong_2cpus", true, cpus[0], cpus[1],
					 PINGPONG_2CPU_ROUNDS, &all);
	} else {
		printf("# pthread: one CPU available, the _2cpus figures are skipped\n");
	}
	/* The minimum stack first: the stacks glibc caches after the joins are
	 * then too small to be reused for the default ones. */
	failed |= bench_parked("bytes_per_thread_minstack", PTHREAD_STACK_MIN);
	failed |= bench_parked("bytes_per_thread", 0);
	return failed ? 1 : 0;
}
