/*
 * What the test runners share: failure reporting, diagnostics, benchmark
 * lines and the order of the tests. Messages follow the KTAP convention:
 * diagnostics are "# " lines printed before the test's own "not ok" line.
 *
 * This file calls nothing of the runners': each hands it a way out
 * (test_output, lib/test.h), so lib/ stays the ground floor.
 */
#include <stdarg.h>

#include "lib/fmt.h"
#include "lib/string.h"
#include "lib/test.h"

bool test_failed;
const char *test_diag_prefix = "# ";
const char *test_bench_prefix = "";
test_write_fn *test_output;

static void test_write(const char *s, size_t len)
{
	if (test_output)
		test_output(s, len);
}

/* A line of output, built here and written with one test_write, so that a
 * console shared by several harts does not cut it with other output. A
 * line longer than the buffer goes out in pieces: what is gathered, when
 * the next piece does not fit, and a piece larger than the buffer as is. */
struct test_line {
	size_t used;
	char buf[256];
};

static void line_add(void *ctx, const char *s, size_t len)
{
	struct test_line *l = ctx;

	if (len > sizeof l->buf - l->used) {
		test_write(l->buf, l->used);
		l->used = 0;
	}
	if (len > sizeof l->buf) {
		test_write(s, len);
		return;
	}
	memcpy(l->buf + l->used, s, len);
	l->used += len;
}

static void line_vprint(const char *prefix, const char *fmt, va_list ap)
{
	struct test_line l = {.used = 0};

	line_add(&l, prefix, strlen(prefix));
	fmt_vformat(line_add, &l, fmt, ap);
	line_add(&l, "\n", 1);
	test_write(l.buf, l.used);
}

static void __attribute__((format(printf, 1, 2))) line_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_vprint("", fmt, ap);
	va_end(ap);
}

void test_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_vprint(test_diag_prefix, fmt, ap);
	va_end(ap);
}

void bench_report(const char *name, uint64_t cycles, uint64_t ns, uint64_t ops)
{
	/* One decimal: per-call figures of a few nanoseconds need it. */
	uint64_t ns10 = ns * 10 / ops, c10 = cycles * 10 / ops;

	line_print("BENCH %s%s %llu.%llu ns", test_bench_prefix, name,
		   (unsigned long long)ns10 / 10, (unsigned long long)ns10 % 10);
	line_print("BENCH %s%s.cycles %llu.%llu cycles", test_bench_prefix, name,
		   (unsigned long long)c10 / 10, (unsigned long long)c10 % 10);
}

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
