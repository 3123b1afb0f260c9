/*
 * Benchmark of the init language (make bench; docs/performance.md, "The
 * init language"), built optimized without sanitizers:
 *
 *   BENCH lang.compile_rate       words compiled per second: a script of
 *                                 250 definitions of 30 words each, read
 *                                 and compiled (not run) by a fresh machine
 *   BENCH lang.loop_iteration     ns per iteration of a compiled do-loop
 *                                 that adds its index: ": sum 0 N 0 do i +
 *                                 loop ;"
 *   BENCH c.loop_iteration        the same loop in C (gcc -O2), kept from
 *                                 being vectorized or summed in closed form
 *   BENCH lang.loop_vs_c          the ratio of the two (above 1: the
 *                                 compiled loop is slower)
 *
 * Each figure is the median of 7 runs (the first runs warm the caches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hosted/lang_mem.h"
#include "lang/lang.h"

#define RUNS 7
#define DEFS 250
#define LOOP_N 20000000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v)
{
	qsort(v, RUNS, sizeof v[0], cmp_u64);
	return v[RUNS / 2];
}

static void print_out(void *ctx, const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

/* The loop in C: one add a step, the sum kept in a register the compiler
 * may not reason about (the empty asm), as the compiled loop does. */
static __attribute__((noinline)) int64_t c_sum(int64_t n)
{
	int64_t s = 0;

	for (int64_t i = 0; i < n; i++) {
		s += i;
		__asm__ volatile("" : "+r"(s));
	}
	return s;
}

int main(void)
{
	static struct lang_vm vm;
	struct lang_mem mem;
	uint64_t t[RUNS], compile_ns, lang_ns, c_ns;
	size_t len = 0, cap = DEFS * 160, words = 0;
	char *script = malloc(cap);
	int64_t result, expect = (int64_t)LOOP_N * (LOOP_N - 1) / 2;

	if (!script || lang_mem_alloc(&mem, 8 << 20, 1 << 20) != LM_OK) {
		fprintf(stderr, "lang-bench: out of memory\n");
		return 1;
	}
	/* 250 definitions, each ": wN a b + dup * swap over - 1+ drop ..." */
	for (int d = 0; d < DEFS; d++) {
		len += (size_t)snprintf(script + len, cap - len,
					": w%d 1 2 + dup * swap over - 1+ drop 3 and 7 or dup "
					"if 1 else 2 then drop 5 0 do i drop loop ;\n", d);
		words += 30; /* ":", the name, 27 words, ";" */
	}
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0;

		if (lang_init(&vm, &mem, print_out, NULL) != LM_OK)
			return 1;
		t0 = now_ns();
		if (lang_eval(&vm, "bench", script, len) != LM_OK)
			return 1;
		t[r] = now_ns() - t0;
	}
	compile_ns = median(t);
	printf("BENCH lang.compile_rate %.0f words/s\n", (double)words * 1e9 / (double)compile_ns);

	lang_init(&vm, &mem, print_out, NULL);
	snprintf(script, cap, ": sum 0 %d 0 do i + loop ; variable out", LOOP_N);
	if (lang_eval(&vm, "bench", script, strlen(script)) != LM_OK)
		return 1;
	for (int r = 0; r < RUNS; r++) {
		const char *run = "sum out !";
		uint64_t t0 = now_ns();

		if (lang_eval(&vm, "bench", run, strlen(run)) != LM_OK)
			return 1;
		t[r] = now_ns() - t0;
	}
	lang_ns = median(t);
	lang_eval(&vm, "bench", "out @", 5);
	lang_stack(&vm, &result, 1);
	if (result != expect) {
		fprintf(stderr, "lang-bench: the loop summed %lld, not %lld\n", (long long)result,
			(long long)expect);
		return 1;
	}
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		result = c_sum(LOOP_N);
		t[r] = now_ns() - t0;
	}
	c_ns = median(t);
	if (result != expect)
		return 1;
	printf("BENCH lang.loop_iteration %.2f ns\n", (double)lang_ns / LOOP_N);
	printf("BENCH c.loop_iteration %.2f ns\n", (double)c_ns / LOOP_N);
	printf("BENCH lang.loop_vs_c %.2f x\n", (double)lang_ns / (double)c_ns);
	lang_mem_free(&mem);
	free(script);
	return 0;
}
