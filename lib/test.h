/*
 * Unit tests, one framework for the host and the kernel.
 *
 * A test is a function declared with TEST(suite, name) beside the code it
 * tests. The macro places a descriptor in the "lm_tests" linker section; a
 * runner walks that section: lib/test_host.c prints TAP for host unit tests,
 * hosted/test_main.c does so with each test in a Lemmings thread, and
 * kernel/ktest.c prints KTAP on the serial console, each test in its own
 * thread. What the tests print (failures, diagnostics, benchmark figures)
 * is formatted here, in lib/test.c; a runner only sets test_output.
 *
 * EXPECT_* records a failure and goes on; ASSERT_* records it and returns
 * from the test. Tests run one at a time, so the failure flag is global.
 */
#ifndef LIB_TEST_H
#define LIB_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
	const char *suite;
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
};

#define TEST(suite, name)                                                    \
	static void test_##suite##_##name(void);                            \
	static const struct test_case test_case_##suite##_##name            \
		__attribute__((used, section("lm_tests"), aligned(8))) = {  \
			#suite, #name, test_##suite##_##name, __FILE__,     \
			__LINE__};                                          \
	static void test_##suite##_##name(void)

extern const struct test_case __start_lm_tests[], __stop_lm_tests[];

/* The linked tests in source order (by file name, then line): fills out
 * with at most max pointers and returns how many there are in all. */
size_t test_sorted(const struct test_case **out, size_t max);

/* Set when the running test has failed; the runner clears it. */
extern bool test_failed;

/* The framework's only way out, set by each runner before it runs tests:
 * write len bytes (whole lines, or one line in pieces when it is long) to
 * the runner's output: standard output on the host, the console in the
 * kernel. Until a runner sets it, output goes nowhere. */
typedef void test_write_fn(const char *s, size_t len);
extern test_write_fn *test_output;

/* How the runner wants lines marked, set before it runs tests: what starts
 * a diagnostic line ("# " by default; KTAP's "    # " in the kernel) and
 * a benchmark's name ("" by default; "kernel.", "hosted."). */
extern const char *test_diag_prefix;
extern const char *test_bench_prefix;

/* Print one line of diagnostics, after test_diag_prefix. */
void test_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "BENCH <prefix><name> <ns/op> ns" and the cycles line for a
 * benchmark that ran ops operations. */
void bench_report(const char *name, uint64_t cycles, uint64_t ns, uint64_t ops);

/* Host runner only (lib/test_host.c): a whole file in a malloc'ed buffer
 * (*size set), or NULL if it cannot be read. */
void *test_read_file(const char *path, size_t *size);

void test_fail_bool(const char *file, int line, const char *expr);
void test_fail_eq(const char *file, int line, const char *a_expr,
		  const char *b_expr, uint64_t a, uint64_t b);
void test_fail_str(const char *file, int line, const char *a_expr,
		   const char *b_expr, const char *a, const char *b);
int test_streq(const char *a, const char *b);

#define EXPECT(cond)                                                         \
	do {                                                                 \
		if (!(cond))                                                 \
			test_fail_bool(__FILE__, __LINE__, #cond);           \
	} while (0)

#define EXPECT_EQ(a, b)                                                      \
	do {                                                                 \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);             \
		if (a_ != b_)                                                \
			test_fail_eq(__FILE__, __LINE__, #a, #b, a_, b_);    \
	} while (0)

#define EXPECT_STREQ(a, b)                                                   \
	do {                                                                 \
		const char *a_ = (a), *b_ = (b);                             \
		if (!test_streq(a_, b_))                                     \
			test_fail_str(__FILE__, __LINE__, #a, #b, a_, b_);   \
	} while (0)

#define ASSERT(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			test_fail_bool(__FILE__, __LINE__, #cond);           \
			return;                                              \
		}                                                            \
	} while (0)

#define ASSERT_EQ(a, b)                                                      \
	do {                                                                 \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);             \
		if (a_ != b_) {                                              \
			test_fail_eq(__FILE__, __LINE__, #a, #b, a_, b_);    \
			return;                                              \
		}                                                            \
	} while (0)

#endif
