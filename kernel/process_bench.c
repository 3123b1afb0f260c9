/*
 * Untrusted process benchmarks (make bench; kernel, four harts, hart 3 set
 * apart for the run): an untrusted process started and waited for (exit at
 * once); a gated door call's round trip (programs/untrusted/u-bench: 2000
 * calls of the Harts door's count from ring 3 on the set-apart hart, run by
 * the gate's thread on a trusted hart, less a start and exit); beside them,
 * in the same boot, the same routine called directly through the door, and
 * a cross-hart ping-pong of two threads (harts 0 and 1) signalling each
 * other, the floor of any call served on another hart.
 */
#include <lemmings/harts.h>

#include "arch/cpu.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/process.h"
#include "lib/test.h"
#include "services/archive.h"

#define STARTS 200
#define GATED_CALLS 2000 /* u-bench's */
#define DIRECT_CALLS 100000
#define PINGS 2000

static const char exit0[] = "\x31\xc0\x31\xff\x0f\x05"; /* exit(0) */

/* Cycles and nanoseconds of one untrusted run of e (or of exit0). */
static bool run_once(const struct archive_entry *e, uint64_t *cycles, uint64_t *ns)
{
	const struct gate_grant grants[] = {{harts_api_id, 1}};
	uint64_t c0 = rdtsc(), n0 = plat_now_ns(), id;
	uint32_t status;

	if ((e ? untrusted_start("u-bench", e->data, e->size, 64, grants, 1, &id)
	       : untrusted_start_code("exit", exit0, sizeof exit0 - 1, NULL, 0, &id)) ||
	    untrusted_wait(id, &status) || status)
		return false;
	*cycles += rdtsc() - c0;
	*ns += plat_now_ns() - n0;
	return true;
}

TEST(bench, untrusted_start_to_exit_and_gated_call)
{
	uint64_t c = 0, n = 0, gc = 0, gn = 0;
	struct archive_entry e;

	if (hart_count < 2 || untrusted_set_apart(hart_count - 1, true)) {
		test_diag("no hart to set apart: no figures");
		return;
	}
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/u-bench", &e), LM_OK);
	for (int i = 0; i < STARTS; i++)
		ASSERT(run_once(NULL, &c, &n));
	bench_report("untrusted.start_to_exit", c, n, STARTS);
	for (int i = 0; i < 5; i++)
		ASSERT(run_once(&e, &gc, &gn));
	/* Less five starts and exits, per call. */
	bench_report("untrusted.gated_call_round_trip", gc - 5 * c / STARTS, gn - 5 * n / STARTS,
		     5 * GATED_CALLS);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

TEST(bench, direct_door_call_harts_count)
{
	const struct harts_door *h = harts_door_find();
	uint64_t c0, n0, sum = 0;

	ASSERT(h != NULL);
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < DIRECT_CALLS; i++)
		sum += harts_count(h);
	bench_report("untrusted.direct_door_call", rdtsc() - c0, plat_now_ns() - n0, DIRECT_CALLS);
	EXPECT_EQ(sum, (uint64_t)DIRECT_CALLS * hart_count);
}

static struct thread *pinger, *ponger;

static void pong(void *arg)
{
	for (int i = 0; i < PINGS; i++) {
		thread_wait(1);
		thread_signal(pinger, 1);
	}
}

TEST(bench, cross_hart_ping_pong)
{
	struct thread_opts o = {.entry = pong, .priority = PRIO_REGULAR, .hart = 1,
				.notify = thread_current(), .notify_bits = 2};
	uint64_t c0, n0;

	if (hart_count < 2) {
		test_diag("one hart: no figure");
		return;
	}
	pinger = thread_current();
	ASSERT_EQ(thread_spawn(&o, &ponger), LM_OK);
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < PINGS; i++) {
		thread_signal(ponger, 1);
		thread_wait(1);
	}
	bench_report("untrusted.cross_hart_ping_pong", rdtsc() - c0, plat_now_ns() - n0, PINGS);
	thread_wait(2);
}
