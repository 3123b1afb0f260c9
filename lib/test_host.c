/*
 * TAP runner for host unit tests. Every host test binary links this file;
 * it runs the TEST()s linked into the binary, optionally only those whose
 * "suite.name" matches the glob in argv[1], and prints TAP for prove.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lib/glob.h"
#include "lib/test.h"

#define TESTS_MAX 1024

static void write_out(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct test_case *tests[TESTS_MAX];
	const char *pattern = argc > 1 ? argv[1] : "*";
	size_t count = test_sorted(tests, TESTS_MAX);
	char full[256];
	int planned = 0, n = 0, failures = 0;

	test_output = write_out;
	if (count > TESTS_MAX) {
		printf("Bail out! more than %d tests in one binary\n", TESTS_MAX);
		return 1;
	}
	for (size_t i = 0; i < count; i++) {
		snprintf(full, sizeof full, "%s.%s", tests[i]->suite, tests[i]->name);
		planned += glob_match(pattern, full);
	}
	printf("1..%d\n", planned);
	for (size_t i = 0; i < count; i++) {
		const struct test_case *tc = tests[i];

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

void *test_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1))) {
		fclose(f);
		return NULL;
	}
	*size = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}
