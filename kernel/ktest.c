/*
 * The in-kernel test runner (see ktest.h).
 *
 * The runner thread spawns one thread per test (Regular priority, four
 * pages of stack: tests are ordinary C with buffers on the stack) and waits
 * for its end through the thread's exit notification. A test whose thread
 * died (fault, stack overflow, panic in thread context) is reported as
 * failed with the fault record.
 *
 * With `bench=` instead of `test=`, the runner does the same and then,
 * rather than exiting QEMU, calls what boots on (the shell and init): a
 * benchmark of programs gets the kernel's figures (the bare register
 * swap) from its own boot, to set its own beside them.
 */
#include "arch/qemu.h"
#include "core/thread.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/fault.h"
#include "kernel/ktest.h"
#include "lib/fmt.h"
#include "lib/glob.h"
#include "lib/string.h"
#include "lib/test.h"

BOOTOPT(test, "run the in-kernel tests matching these globs (test=pmm.*,vm.* ; "
	      "a leading '-' excludes), print KTAP, then exit QEMU");
BOOTOPT(bench, "run the in-kernel tests matching these globs (bench=bench.swap) "
	       "before the programs start, print KTAP, then boot on as usual");

#define KTEST_DONE (1ull << 0)
#define KTEST_MAX 1024
#define GLOB_MAX 128 /* bytes of one glob of the selection, its NUL included */

static void write_out(const char *s, size_t len)
{
	console_write(s, len);
}

/*
 * The selection: comma-separated globs; a glob starting with '-' excludes.
 * "*,-stress.*" is every test but the stress suite.
 */
static bool selected(const char *selection, const char *name)
{
	char glob[GLOB_MAX];
	bool in = false;

	while (*selection) {
		size_t n = 0;
		bool exclude = *selection == '-';

		selection += exclude;
		while (selection[n] && selection[n] != ',')
			n++;
		if (n < sizeof glob) {
			memcpy(glob, selection, n);
			glob[n] = 0;
			if (glob_match(glob, name)) {
				if (exclude)
					return false;
				in = true;
			}
		}
		selection += n + (selection[n] == ',');
	}
	return in;
}

/* Say which globs of the selection cannot select anything: too long to be
 * matched (they would otherwise be skipped without a word). */
static void check_selection(const char *selection)
{
	while (*selection) {
		size_t n = 0;

		selection += *selection == '-';
		while (selection[n] && selection[n] != ',')
			n++;
		if (n >= GLOB_MAX) {
			char shown[48];

			fmt_escape(shown, sizeof shown, selection, 32);
			kprintf("ktest: the glob '%s...' is %zu characters long, more than %d: "
				"it selects nothing\n", shown, n, GLOB_MAX - 1);
		}
		selection += n + (selection[n] == ',');
	}
}

static void full_name(const struct test_case *tc, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "%s.%s", tc->suite, tc->name);
}

static uint64_t test_thread_id; /* the running test's thread */

static void run_one(void *arg)
{
	const struct test_case *tc = arg;

	/* Its id, for the runner to find it among the dead: the runner cannot
	 * read it from the thread, which may end before the spawn returns. */
	test_thread_id = thread_current()->id;
	tc->fn();
}

/* Each test runs pinned to hart 0, so that its timings and ordering do not
 * depend on other harts taking it; tests that exercise several harts
 * spawn unpinned threads of their own. */
static bool run_test(const struct test_case *tc)
{
	struct thread_opts o = {
		.entry = run_one,
		.arg = (void *)tc,
		.priority = PRIO_REGULAR,
		.stack_pages = 4,
		.name = tc->name,
		.hart = 0,
		.notify = thread_current(),
		.notify_bits = KTEST_DONE,
	};
	uint64_t deaths = fault_count();
	enum lm_err err;

	test_failed = false;
	err = thread_spawn(&o, NULL);
	if (err) {
		test_diag("could not start the test's thread: %s", lm_err_str(err));
		return false;
	}
	thread_wait(KTEST_DONE);
	/* Tests may kill threads of their own on purpose: look for this one. */
	for (uint64_t i = deaths; i < fault_count(); i++) {
		const struct fault_record *r = fault_get(i);
		if (r && r->thread_id == test_thread_id) {
			test_diag("the test's thread died: %s", r->reason);
			test_diag("at %s", r->backtrace);
			return false;
		}
	}
	return !test_failed;
}

/* With bench=: what boots on once the selection has run (NULL: exit QEMU). */
static void (*boot_on)(void);

static void runner(void *arg)
{
	static const struct test_case *tests[KTEST_MAX];
	const char *glob = arg;
	size_t count = test_sorted(tests, KTEST_MAX);
	char name[128];
	int planned = 0, n = 0, failed = 0;

	/* Diagnostics indented as KTAP subtest lines (tools/ktest-run takes
	 * them back out); BENCH names marked as the kernel's. */
	test_output = write_out;
	test_diag_prefix = "    # ";
	test_bench_prefix = "kernel.";
	if (count > KTEST_MAX) {
		kprintf("Bail out! more than %d kernel tests\n", KTEST_MAX);
		if (boot_on)
			boot_on();
		else
			qemu_exit(false);
		return;
	}
	check_selection(glob);
	for (size_t i = 0; i < count; i++) {
		full_name(tests[i], name, sizeof name);
		planned += selected(glob, name);
	}
	if (!planned) {
		char shown[4 * 64 + 1];

		fmt_escape(shown, sizeof shown, glob, strnlen(glob, 64));
		kprintf("ktest: no test matches %s=%s%s (%zu tests are built in; names are "
			"suite.name, e.g. test=sched.* or test=* for all)\n",
			boot_on ? "bench" : "test", shown, strlen(glob) > 64 ? "..." : "", count);
	}
	kprintf("KTAP version 1\n1..%d\n", planned);
	for (size_t i = 0; i < count; i++) {
		const struct test_case *tc = tests[i];
		bool ok;

		full_name(tc, name, sizeof name);
		if (!selected(glob, name))
			continue;
		ok = run_test(tc);
		failed += !ok;
		kprintf("%s %d %s\n", ok ? "ok" : "not ok", ++n, name);
	}
	kprintf("# %d tests, %d failed\n", n, failed);
	if (boot_on) {
		boot_on();
		return;
	}
	qemu_exit(failed == 0 && planned > 0);
	kprintf("ktest: QEMU's isa-debug-exit device is absent; halting here\n");
}

int ktest_start(void (*then)(void))
{
	const char *glob = bootopt_get("test"), *bench = bootopt_get("bench");
	struct thread_opts o = {
		.entry = runner,
		.priority = PRIO_USER,
		.stack_pages = 2,
		.name = "ktest",
		.hart = -1,
	};

	if (!glob && !bench)
		return 0;
	if (!glob)
		boot_on = then; /* bench= alone: boot on after it */
	glob = glob ? glob : bench;
	o.arg = (void *)(*glob ? glob : "*");
	if (thread_spawn(&o, NULL) != LM_OK) {
		kprintf("ktest: cannot start the runner\n");
		if (!boot_on)
			qemu_exit(false);
		boot_on = NULL;
		return 0; /* bench=: boot on without it */
	}
	return 1;
}
