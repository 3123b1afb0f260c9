/*
 * In-kernel tests of the Linux personality (kernel/linux/), with the boot
 * archive of tests/linux.t (tools/ktest-run --initrd) and a hart to set
 * apart: a program started, run to its exit and everything it held given
 * back (its space, its state, its open files, /tmp's file it unlinked);
 * the starts that must be refused, each with its error and nothing left
 * behind; a program killed while it waits on the console, and one killed
 * while its open of a named pipe waits for a writer.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/load.h"
#include "kernel/linux/proc.h"
#include "kernel/pipe.h"
#include "kernel/process.h"
#include "lib/test.h"
#include "services/archive.h"

/* Set the last hart apart for the test; false (said why) if it cannot. */
static bool apart(void)
{
	struct archive_entry e;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return false;
	}
	if (archive_lookup(services_archive(), "/bin/lx-files", &e)) {
		test_diag("no /bin/lx-files: boot with tests/linux.t's archive");
		return false;
	}
	return untrusted_set_apart(hart_count - 1, true) == LM_OK;
}

/* apart(), and busybox in the archive (said, and the hart given back, if
 * not). */
static bool apart_with_busybox(void)
{
	struct archive_entry e;

	if (!apart())
		return false;
	if (archive_lookup(services_archive(), "/bin/busybox", &e) == LM_OK)
		return true;
	test_diag("no /bin/busybox in the archive");
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
	return false;
}

TEST(linux, programs_run_to_their_exit_and_give_everything_back)
{
	unsigned spaces = aspace_count(), files = linux_files_live();
	uint64_t id;
	uint32_t status;

	if (!apart())
		return;
	ASSERT_EQ(linux_start("/bin/lx-files", 1, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, 0u);
	ASSERT_EQ(linux_start("/bin/lx-auxv-pie a 'b c'", 1, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, 0u);
	ASSERT_EQ(linux_start("/bin/lx-fault", 1, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_FAULTED + 14);
	EXPECT_EQ(aspace_count(), spaces);
	EXPECT_EQ(linux_procs_live(), 0u);
	EXPECT_EQ(linux_files_live(), files);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

TEST(linux, bad_starts_are_refused_and_leave_nothing)
{
	unsigned spaces = aspace_count(), files = linux_files_live();
	uint64_t id;

	if (!apart())
		return;
	EXPECT_EQ(linux_start("", 1, &id), LM_ERR_FORMAT);
	EXPECT_EQ(linux_start("/bin/lx-auxv 'open quote", 1, &id), LM_ERR_FORMAT);
	EXPECT_EQ(linux_start("/bin/no-such-program", 1, &id), LM_ERR_NOENT);
	EXPECT_EQ(linux_start("/etc/programs.linux", 1, &id), LM_ERR_FORMAT); /* not ELF */
	EXPECT_EQ(linux_start("/bin/lx-auxv < /t/nothing", 1, &id), LM_ERR_NOENT);
	{
		/* A Lemmings program is a static PIE too: it starts, and ends
		 * with the fault its start code meets (it reaches for GS). */
		uint32_t status;

		ASSERT_EQ(linux_start("/bin/hello", 1, &id), LM_OK);
		ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
		EXPECT(status > PROCESS_FAULTED && status < PROCESS_KILLED);
	}
	EXPECT_EQ(aspace_count(), spaces);
	EXPECT_EQ(linux_procs_live(), 0u);
	EXPECT_EQ(linux_files_live(), files);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* busybox cat with no file waits on the console forever; a kill ends it
 * within a slice of its next wake-up (the console's poll). */
TEST(linux, a_program_waiting_on_the_console_can_be_killed)
{
	unsigned spaces = aspace_count();
	uint64_t id, t0;
	uint32_t status, hart;
	uint64_t tid = 0;

	if (!apart_with_busybox())
		return;
	ASSERT_EQ(linux_start("/bin/busybox cat", 1, &id), LM_OK);
	for (t0 = plat_now_ns(); !tid && plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;) {
		timer_sleep_ns(10000000);
		ASSERT_EQ(untrusted_where(id, &hart, &tid), LM_OK);
	}
	timer_sleep_ns(200000000); /* well into its read, most likely */
	ASSERT_EQ(untrusted_kill(id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_KILLED);
	EXPECT_EQ(aspace_count(), spaces);
	EXPECT_EQ(linux_procs_live(), 0u);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* Run command to its end: its status. */
static uint32_t run(const char *command)
{
	uint64_t id;
	uint32_t status = ~0u;

	if (linux_start(command, 1, &id) == LM_OK)
		untrusted_wait(id, &status);
	return status;
}

/* busybox cat of a named pipe no one writes waits in its open forever; a
 * kill ends it there, and its pipe, file and space come back. */
TEST(linux, a_program_waiting_to_open_a_named_pipe_can_be_killed)
{
	unsigned spaces = aspace_count(), files = linux_files_live(), pipes = pipe_count();
	uint64_t id;
	uint32_t status;

	if (!apart_with_busybox())
		return;
	ASSERT_EQ(run("/bin/busybox mkfifo /tmp/ktest-fifo"), 0u);
	ASSERT_EQ(linux_start("/bin/busybox cat /tmp/ktest-fifo", 1, &id), LM_OK);
	for (uint64_t t0 = plat_now_ns();
	     pipe_count() == pipes && plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
		timer_sleep_ns(10000000); /* until its open made the pipe */
	EXPECT_EQ(pipe_count(), pipes + 1);
	timer_sleep_ns(100000000); /* into its wait, most likely */
	ASSERT_EQ(untrusted_kill(id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_KILLED);
	EXPECT_EQ(pipe_count(), pipes);
	EXPECT_EQ(linux_files_live(), files);
	EXPECT_EQ(aspace_count(), spaces);
	EXPECT_EQ(linux_procs_live(), 0u);
	EXPECT_EQ(run("/bin/busybox rm /tmp/ktest-fifo"), 0u);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

static uint64_t spinner;
static volatile bool spinner_killed;

static void kill_spinner_later(void *arg)
{
	timer_sleep_ns(SCHED_TEST_LIVENESS_NS);
	spinner_killed = true;
	untrusted_kill(spinner);
}

/* Two processes on the one set-apart hart: one making getppid calls
 * without end, the other a short program. The short one ends while the
 * first still runs (the first yields at least once a time slice, though
 * it enters ring 3 anew at every call); a thread kills the first after a
 * liveness bound, so that a failure does not hang. */
TEST(linux, a_process_making_calls_without_end_lets_its_hart_neighbour_run)
{
	struct thread_opts o = {.entry = kill_spinner_later, .priority = PRIO_REGULAR, .hart = 0};
	uint64_t id;
	uint32_t status;

	if (!apart())
		return;
	spinner_killed = false;
	ASSERT_EQ(linux_start("/bin/lx-getppid 1000000000", 1, &spinner), LM_OK);
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	ASSERT_EQ(linux_start("/bin/lx-auxv", 1, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, 0u);
	EXPECT(!spinner_killed);
	untrusted_kill(spinner);
	ASSERT_EQ(untrusted_wait(spinner, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_KILLED);
	while (!spinner_killed) /* the killer thread's end, before the next test */
		timer_sleep_ns(10000000);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}
