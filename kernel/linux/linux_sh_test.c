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
 * and that nothing of a Linux process is left afterwards. One hart is set
 * apart (two at least).
 */
#include "core/hart.h"
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
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
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
	for (unsigned i = 0; i < 1000 && (aspace_count() != spaces || linux_procs_live()); i++)
		timer_sleep_ns(10000000);
	EXPECT_EQ(aspace_count(), spaces);
	EXPECT_EQ(linux_procs_live(), 0);
	EXPECT_EQ(pipe_count(), pipes);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}
