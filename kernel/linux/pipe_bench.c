/*
 * The pipe ping-pong between two Linux processes (make bench:
 * bench/kernel-bench's boot, four harts, the last set apart for the run):
 * tests/linux/lx-pingpong, parent and child passing a byte there and back
 * through two pipes; per round trip, less a run of no rounds (start, fork,
 * wait and exit, reported too). bench/kernel-bench prints it as a ratio to
 * the bare swap of the same boot. Both processes' threads share the one
 * set-apart hart: a round trip is two writes that each wake the thread
 * waiting to read, and two reads, four syscalls into the personality.
 */
#include "arch/cpu.h"
#include "core/hart.h"
#include "core/platform.h"
#include "kernel/linux/load.h"
#include "kernel/process.h"
#include "lib/test.h"

#define ROUNDS 2000

/* Cycles and nanoseconds of one run of command; false if it failed. */
static bool run_once(const char *command, uint64_t *cycles, uint64_t *ns)
{
	uint64_t c0 = rdtsc(), n0 = plat_now_ns(), id;
	uint32_t status;

	if (linux_start(command, 1, &id) || untrusted_wait(id, &status) || status)
		return false;
	*cycles = rdtsc() - c0;
	*ns = plat_now_ns() - n0;
	return true;
}

TEST(bench, linux_pipe_ping_pong)
{
	uint64_t c0, n0, c, n;

	if (hart_count < 2 || untrusted_set_apart(hart_count - 1, true)) {
		test_diag("no hart to set apart: no figures");
		return;
	}
	ASSERT(run_once("/bin/lx-pingpong 0", &c0, &n0));
	ASSERT(run_once("/bin/lx-pingpong 2000", &c, &n));
	bench_report("linux.pipe_ping_pong", c > c0 ? c - c0 : 0, n > n0 ? n - n0 : 0, ROUNDS);
	bench_report("linux.pingpong_start_fork_exit", c0, n0, 1);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}
