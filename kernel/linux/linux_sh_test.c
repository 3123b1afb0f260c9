/*
 * busybox sh under the Linux personality, for tests/linux-sh.t: each line
 * of the archive's /etc/linux-sh.cmds is run as `/bin/busybox sh -c
 * 'LINE'` (a Linux process, its descriptors on the console), between two
 * marker lines on the console:
 *
 *     === begin 3
 *     ... what the command wrote ...
 *     === end 3 status 0x2
 *
 * The status is kernel/process.h's (the exit code, or how it ended).
 * tests/linux-sh.t runs the same lines under the host's busybox and
 * compares. Here the test checks only that each command starts and ends
 * and that nothing of a Linux process is left afterwards. The last two
 * harts are set apart where there are three or more (a process's threads
 * then run on two at once), else the last.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/console.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/load.h"
#include "kernel/linux/proc.h"
#include "kernel/pipe.h"
#include "kernel/process.h"
#include "lib/fmt.h"
#include "lib/test.h"
#include "services/archive.h"

#define LINE_MAX 900

TEST(linux_sh, command_lines_run_in_busybox_sh)
{
	static char line[LINE_MAX], command[LINE_MAX + 32];
	unsigned spaces = aspace_count(), pipes = pipe_count(), number = 0;
	uint32_t first;
	struct archive_entry e;
	uint64_t at = 0;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	if (archive_lookup(services_archive(), "/etc/linux-sh.cmds", &e)) {
		test_diag("no /etc/linux-sh.cmds in the archive: nothing to run");
		return;
	}
	first = hart_count >= 3 ? hart_count - 2 : hart_count - 1;
	for (uint32_t h = first; h < hart_count; h++)
		ASSERT_EQ(untrusted_set_apart(h, true), LM_OK);
	while (at < e.size) {
		uint64_t len = 0, id;
		uint32_t status = 0;
		enum lm_err err;

		while (at < e.size && ((const char *)e.data)[at] != '\n') {
			if (len < LINE_MAX - 1)
				line[len++] = ((const char *)e.data)[at];
			at++;
		}
		at++;
		line[len] = 0;
		if (!len || line[0] == '#')
			continue;
		fmt_snprintf(command, sizeof command, "/bin/busybox sh -c '%s'", line);
		kprintf("=== begin %u\n", number);
		err = linux_start(command, 1, &id);
		if (!err)
			err = untrusted_wait(id, &status);
		if (err) {
			test_diag("line %u: %s", number, lm_err_str(err));
			test_failed = true;
		}
		kprintf("=== end %u status 0x%x\n", number, status);
		number++;
	}
	test_diag("%u command lines run", number);
	/* Every child reaped or freed itself: nothing is left. */
	for (uint64_t start = plat_now_ns();
	     (aspace_count() != spaces || linux_procs_live()) &&
	     plat_now_ns() - start < 6 * SCHED_TEST_LIVENESS_NS;)
		timer_sleep_ns(10000000);
	EXPECT_EQ(aspace_count(), spaces);
	EXPECT_EQ(linux_procs_live(), 0);
	EXPECT_EQ(pipe_count(), pipes);
	for (uint32_t h = first; h < hart_count; h++)
		EXPECT_EQ(untrusted_set_apart(h, false), LM_OK);
}
