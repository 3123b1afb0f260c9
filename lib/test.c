/*
 * Failure reporting shared by the host and kernel test runners.
 * Messages follow the KTAP convention: diagnostics are "# " lines printed
 * before the test's own "not ok" line.
 */
#include "lib/test.h"

bool test_failed;

int test_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

void test_fail_bool(const char *file, int line, const char *expr)
{
	test_failed = true;
	test_diag("%s:%d: expected %s", file, line, expr);
}

void test_fail_eq(const char *file, int line, const char *a_expr,
		  const char *b_expr, uint64_t a, uint64_t b)
{
	test_failed = true;
	test_diag("%s:%d: expected %s == %s", file, line, a_expr, b_expr);
	test_diag("    left:  %llu (0x%llx)", (unsigned long long)a,
		  (unsigned long long)a);
	test_diag("    right: %llu (0x%llx)", (unsigned long long)b,
		  (unsigned long long)b);
}

void test_fail_str(const char *file, int line, const char *a_expr,
		   const char *b_expr, const char *a, const char *b)
{
	test_failed = true;
	test_diag("%s:%d: expected %s == %s", file, line, a_expr, b_expr);
	test_diag("    left:  \"%s\"", a ? a : "(null)");
	test_diag("    right: \"%s\"", b ? b : "(null)");
}

static int test_before(const struct test_case *a, const struct test_case *b)
{
	const char *x = a->file, *y = b->file;

	while (*x && *x == *y)
		x++, y++;
	if (*x != *y)
		return (unsigned char)*x < (unsigned char)*y;
	return a->line < b->line;
}

size_t test_sorted(const struct test_case **out, size_t max)
{
	size_t n = 0;

	for (const struct test_case *tc = __start_lm_tests; tc < __stop_lm_tests; tc++, n++) {
		size_t j = n < max ? n : max;

		/* Insertion sort: a few hundred tests, once per run. */
		while (j > 0 && test_before(tc, out[j - 1])) {
			if (j < max)
				out[j] = out[j - 1];
			j--;
		}
		if (j < max)
			out[j] = tc;
	}
	return n;
}
