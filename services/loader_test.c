/*
 * In-kernel tests of starting programs (services/loader.c). They start
 * /bin/hello from the boot archive, which tests/kernel.t and tests/smp.t
 * boot with; without it they fail at the lookup.
 */
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "lib/test.h"
#include "services/archive.h"
#include "services/loader.h"

#define FAILED_STARTS 300

/* "/bin/hello" and sixty words: more than a start record holds. */
static void too_many_words(char *buf, size_t size)
{
	size_t used = 0;

	for (int i = 0; i < 60 && used + 4 < size; i++) {
		memcpy(buf + used, "arg ", 4);
		used += 4;
	}
	buf[used] = 0;
}

TEST(loader, failed_starts_give_their_memory_back)
{
	struct archive_entry e;
	uint64_t h;
	char args[256], detail[160];
	uint64_t before, after, start;
	enum lm_err err;

	ASSERT_EQ(archive_lookup(services_archive(), "/bin/hello", &e), LM_OK);
	too_many_words(args, sizeof args);
	before = pmm_free_pages();
	for (int i = 0; i < FAILED_STARTS; i++) {
		ASSERT_EQ(program_start("/bin/hello", args, &h, detail, sizeof detail), LM_ERR_RANGE);
		EXPECT(strstr(detail, "arguments too long"));
	}
	after = pmm_free_pages();
	/* Each leaked start would keep hello's image (several pages): allow
	 * a few pages for tables, none per start. */
	test_diag("free pages before %llu, after %d failed starts: %llu",
		  (unsigned long long)before, FAILED_STARTS, (unsigned long long)after);
	EXPECT(after + 8 >= before);
	/* And a valid start still works; its thread's handle is one the
	 * Threads door checks: live, or ended (never a made-up value). */
	EXPECT_EQ(program_start("/bin/hello", "after-failures", &h, detail, sizeof detail), LM_OK);
	EXPECT(h >= 1ull << 32);
	err = thread_signal_handle(h, 1);
	EXPECT(err == LM_OK || err == LM_ERR_NOENT);
	/* Wait for hello to end: its stack page, given back later, would
	 * move the page counts of the tests that follow (memory.*). */
	start = plat_now_ns();
	while (thread_signal_handle(h, 0) == LM_OK && plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		thread_yield();
	EXPECT_EQ(thread_signal_handle(h, 0), LM_ERR_NOENT);
}

/* The words of a failed start agree with its error. */
TEST(loader, a_path_that_is_not_a_program_says_why)
{
	static const struct {
		const char *path;
		enum lm_err err;
		const char *says;
	} cases[] = {
		{"/bin/no-such-program", LM_ERR_NOENT, "no such file"},
		{"../init", LM_ERR_INVAL, "'..'"},
		{"/bin/../init", LM_ERR_INVAL, "'..'"},
		{"/init/x", LM_ERR_INVAL, "is a file, not a directory"},
		{"/bin", LM_ERR_INVAL, "not a regular file"},
	};
	uint64_t h;
	char detail[160];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		EXPECT_EQ(program_start(cases[i].path, "", &h, detail, sizeof detail), cases[i].err);
		if (!strstr(detail, cases[i].says))
			test_diag("%s: \"%s\"", cases[i].path, detail);
		EXPECT(strstr(detail, cases[i].says));
		if (cases[i].err != LM_ERR_NOENT)
			EXPECT(!strstr(detail, "no such file"));
	}
}
