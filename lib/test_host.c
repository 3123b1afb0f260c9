/*
 * TAP runner for host unit tests. Every host test binary links this file;
 * it runs the TEST()s linked into the binary, optionally only those whose
 * "suite.name" matches the glob in argv[1], and prints TAP for prove.
 */
#include <stdarg.h>
#include <stdio.h>

#include "lib/glob.h"
#include "lib/test.h"

void test_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void bench_report(const char *name, uint64_t cycles, uint64_t ns, uint64_t ops)
{
	printf("BENCH %s %llu ns\n", name, (unsigned long long)(ns / ops));
	printf("BENCH %s.cycles %llu cycles\n", name, (unsigned long long)(cycles / ops));
}

int main(int argc, char **argv)
{
	const char *pattern = argc > 1 ? argv[1] : "*";
	const struct test_case *tc;
	char full[256];
	int planned = 0, n = 0, failures = 0;

	for (tc = __start_lm_tests; tc < __stop_lm_tests; tc++) {
		snprintf(full, sizeof full, "%s.%s", tc->suite, tc->name);
		planned += glob_match(pattern, full);
	}
	printf("1..%d\n", planned);
	for (tc = __start_lm_tests; tc < __stop_lm_tests; tc++) {
		snprintf(full, sizeof full, "%s.%s", tc->suite, tc->name);
		if (!glob_match(pattern, full))
			continue;
		test_failed = false;
		tc->fn();
		n++;
		if (test_failed)
			failures++;
		printf("%s %d %s\n", test_failed ? "not ok" : "ok", n, full);
		fflush(stdout);
	}
	return failures ? 1 : 0;
}
