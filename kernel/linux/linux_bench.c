/*
 * Linux personality benchmarks (make bench: bench/kernel-bench's boot,
 * four harts, the last set apart for the run): Debian's busybox-static
 * running `true`, from linux_start to the process's end (loading a 2 MiB
 * static glibc program, its startup's calls, exit); and a getppid round
 * trip from ring 3 (tests/linux/lx-getppid: GETPPIDS calls, less a run of
 * the same program making none). bench/kernel-bench prints each as a
 * ratio to the bare swap of the same boot. linux.busybox_load is the part
 * of the first before the process runs: its space made, the 2 MiB image
 * mapped and copied, the stack built, its thread spawned. And a pipe
 * ping-pong between two Linux processes, and one between two busybox
 * processes through two named pipes (below).
 */
#include "arch/cpu.h"
#include "core/hart.h"
#include "core/platform.h"
#include "kernel/linux/load.h"
#include "kernel/process.h"
#include "lib/fmt.h"
#include "lib/test.h"
#include "services/archive.h"

#define BUSYBOX_RUNS 20
#define GETPPID_RUNS 5
#define GETPPIDS 20000
#define PING_PONGS 2000
#define PING_PONGS_STR "2000"
#define RING_RUNS 3

/* Run command to its end, adding its cycles and nanoseconds. */
static bool run(const char *command, uint64_t *cycles, uint64_t *ns)
{
	uint64_t c0 = rdtsc(), n0 = plat_now_ns(), id;
	uint32_t status;

	if (linux_start(command, 1, &id) || untrusted_wait(id, &status) || status)
		return false;
	*cycles += rdtsc() - c0;
	*ns += plat_now_ns() - n0;
	return true;
}

TEST(bench, linux_busybox_true_and_getppid)
{
	uint64_t c = 0, n = 0, bc = 0, bn = 0;
	struct archive_entry e;

	if (hart_count < 2 || untrusted_set_apart(hart_count - 1, true)) {
		test_diag("no hart to set apart: no figures");
		return;
	}
	if (archive_lookup(services_archive(), "/bin/busybox", &e) == LM_OK) {
		uint64_t lc = 0, ln = 0;

		for (int i = 0; i < BUSYBOX_RUNS; i++) {
			uint64_t c0 = rdtsc(), n0 = plat_now_ns(), id;
			uint32_t status;

			ASSERT_EQ(linux_start("/bin/busybox true", 1, &id), LM_OK);
			lc += rdtsc() - c0;
			ln += plat_now_ns() - n0;
			ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
			ASSERT_EQ(status, 0u);
			c += rdtsc() - c0;
			n += plat_now_ns() - n0;
		}
		bench_report("linux.busybox_true_start_to_exit", c, n, BUSYBOX_RUNS);
		bench_report("linux.busybox_load", lc, ln, BUSYBOX_RUNS);
	} else {
		test_diag("no /bin/busybox in the archive: no busybox figure");
	}
	c = n = 0;
	for (int i = 0; i < GETPPID_RUNS; i++) {
		ASSERT(run("/bin/lx-getppid", &bc, &bn));
		ASSERT(run("/bin/lx-getppid 20000", &c, &n));
	}
	bench_report("linux.getppid_round_trip", c - bc, n - bn, (uint64_t)GETPPID_RUNS * GETPPIDS);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/*
 * The pipe ping-pong between two Linux processes: tests/linux/lx-pingpong,
 * parent and child passing a byte there and back through two pipes; per
 * round trip, less a run of no rounds (start, pipes, fork, the child's
 * end, wait and exit: reported too). Both processes' threads share the one
 * set-apart hart: a round trip is two writes that each wake the thread
 * waiting to read, and two reads, four syscalls into the personality.
 */
TEST(bench, linux_pipe_ping_pong)
{
	uint64_t c0 = 0, n0 = 0, c = 0, n = 0;

	if (hart_count < 2 || untrusted_set_apart(hart_count - 1, true)) {
		test_diag("no hart to set apart: no figures");
		return;
	}
	ASSERT(run("/bin/lx-pingpong 0", &c0, &n0));
	ASSERT(run("/bin/lx-pingpong " PING_PONGS_STR, &c, &n));
	bench_report("linux.pipe_ping_pong", c > c0 ? c - c0 : 0, n > n0 ? n - n0 : 0, PING_PONGS);
	bench_report("linux.pingpong_start_fork_exit", c0, n0, 1);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/*
 * The same between two busybox processes, through two named pipes: two
 * `busybox dd bs=1 count=N` in a ring, each reading one byte and writing
 * it on. A's shell opens /tmp/ping-a for reading, B's for writing (the
 * two opens meet), B's writes the primer byte, then each dd opens its
 * other end (A's dd /tmp/ping-b for writing, B's for reading: they meet).
 * A's dd passes the primer and N - 1 answers, B's N; A's shell drains the
 * last answer (cat) so that no write finds its reader gone. Per round
 * trip over RING_RUNS rings, less as many rings of no rounds (two shells, their forks, the opens, the
 * exits: reported too). All of it on the one set-apart hart.
 */
#define RING_A "/bin/busybox sh -c \"{ dd bs=1 count=%d of=/tmp/ping-b 2>/dev/null; " \
	"cat >/dev/null; } </tmp/ping-a\""
#define RING_B "/bin/busybox sh -c \"{ printf x; dd if=/tmp/ping-b bs=1 count=%d " \
	"2>/dev/null; } >/tmp/ping-a\""

/* One ring of rounds; false if a start failed or either did not exit 0. */
static bool ring(int rounds, uint64_t *cycles, uint64_t *ns)
{
	char a[160], b[160];
	uint64_t c0 = rdtsc(), n0 = plat_now_ns(), ida, idb;
	uint32_t sa = 1, sb = 1;

	fmt_snprintf(a, sizeof a, RING_A, rounds);
	fmt_snprintf(b, sizeof b, RING_B, rounds);
	if (linux_start(a, 1, &ida))
		return false;
	if (linux_start(b, 1, &idb)) {
		untrusted_kill(ida);
		untrusted_wait(ida, &sa);
		return false;
	}
	if (untrusted_wait(ida, &sa) || untrusted_wait(idb, &sb) || sa || sb)
		return false;
	*cycles += rdtsc() - c0;
	*ns += plat_now_ns() - n0;
	return true;
}

TEST(bench, linux_busybox_fifo_ping_pong)
{
	uint64_t c0 = 0, n0 = 0, c = 0, n = 0, cm = 0, nm = 0;
	struct archive_entry e;

	if (archive_lookup(services_archive(), "/bin/busybox", &e) != LM_OK) {
		test_diag("no /bin/busybox in the archive: no figure");
		return;
	}
	if (hart_count < 2 || untrusted_set_apart(hart_count - 1, true)) {
		test_diag("no hart to set apart: no figures");
		return;
	}
	ASSERT(run("/bin/busybox mkfifo /tmp/ping-a /tmp/ping-b", &cm, &nm));
	for (int i = 0; i < RING_RUNS; i++) {
		ASSERT(ring(0, &c0, &n0));
		ASSERT(ring(PING_PONGS, &c, &n));
	}
	ASSERT(run("/bin/busybox rm /tmp/ping-a /tmp/ping-b", &cm, &nm));
	bench_report("linux.busybox_fifo_ping_pong", c > c0 ? c - c0 : 0, n > n0 ? n - n0 : 0,
		     (uint64_t)RING_RUNS * PING_PONGS);
	bench_report("linux.busybox_fifo_ring_start_to_exit", c0, n0, RING_RUNS);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}
