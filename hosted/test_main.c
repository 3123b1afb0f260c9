/*
 * TAP runner for portable tests under the hosted runtime: like
 * lib/test_host.c, but every test runs in its own Lemmings thread, as in
 * the kernel. Usage: <binary> [glob] ; LEMMINGS_HARTS sets the hart count,
 * LEMMINGS_ARCHIVE a boot archive (cpio file) for the services to serve.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/thread.h"
#include "hosted/hosted.h"
#include "hosted/memory_door.h"
#include "hosted/net.h"
#include "lib/glob.h"
#include "lib/test.h"
#include "services/services.h"

#define TESTS_MAX 1024
#define TEST_DONE (1ull << 0)

static const char *pattern;
static void *archive;
static size_t archive_size;
static int failures;

static void write_out(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
	fflush(stdout);
}

static void run_one(void *arg)
{
	const struct test_case *tc = arg;

	tc->fn();
}

static void runner(void *arg)
{
	static const struct test_case *tests[TESTS_MAX];
	size_t count = test_sorted(tests, TESTS_MAX);
	char full[256];
	int planned = 0, n = 0;

	services_publish(archive, archive_size); /* the doors, as at boot */
	hosted_net_publish(); /* the hosted runtime's own door */
	hosted_memory_publish(64 * 256); /* the Memory door, 64 MiB: tests exhaust it */

	if (count > TESTS_MAX)
		count = TESTS_MAX;
	for (size_t i = 0; i < count; i++) {
		snprintf(full, sizeof full, "%s.%s", tests[i]->suite, tests[i]->name);
		planned += glob_match(pattern, full);
	}
	printf("1..%d\n", planned);
	/* Each test runs pinned to hart 0, so that its timings and ordering
	 * do not depend on other harts taking it; tests that exercise several
	 * harts spawn unpinned threads of their own. */
	for (size_t i = 0; i < count; i++) {
		struct thread_opts o = {.entry = run_one, .arg = (void *)tests[i],
					.priority = PRIO_REGULAR, .stack_pages = 16,
					.name = tests[i]->name, .hart = 0,
					.notify = thread_current(), .notify_bits = TEST_DONE};

		snprintf(full, sizeof full, "%s.%s", tests[i]->suite, tests[i]->name);
		if (!glob_match(pattern, full))
			continue;
		test_failed = false;
		if (thread_spawn(&o, NULL) != LM_OK)
			test_failed = true;
		else
			thread_wait(TEST_DONE);
		failures += test_failed;
		printf("%s %d %s\n", test_failed ? "not ok" : "ok", ++n, full);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	const char *nharts = getenv("LEMMINGS_HARTS");
	const char *archive_path = getenv("LEMMINGS_ARCHIVE");

	pattern = argc > 1 ? argv[1] : "*";
	test_output = write_out;
	test_bench_prefix = "hosted."; /* BENCH names marked as the runtime's */
	if (archive_path && !(archive = hosted_load_archive(archive_path, &archive_size)))
		return 2;
	hosted_run(nharts ? (unsigned)atoi(nharts) : 1, runner, NULL);
	return failures ? 1 : 0;
}
