/*
 * memtest: the SDK heap over the Memory door, end to end (tests/programs.sh
 * runs it alone, through /etc/programs.memtest, so the door's counts move
 * only with what it does).
 *
 * Checks, each reported in one line: small blocks well past the old 256 KiB
 * arena; a large block is its own run, whose pages the door counts out and,
 * at free, back in, exactly; realloc keeps contents as a block grows into
 * a run; threads allocating and freeing at once. Ends with "memtest: all
 * ok" or "memtest: N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/memory.h>
#include <lemmings/threads.h>

#define SMALL_COUNT 40000 /* blocks of 100 bytes: 5 MiB with headers */
#define LARGE (8u << 20)
#define WORKERS 4

static int failures;
static const struct memory_door *mem;

static void check(int ok, const char *what)
{
	printf("memtest: %s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
}

static uint64_t free_pages(void)
{
	struct memory_info info;

	return memory_query(mem, &info) ? 0 : info.free_pages;
}

static void small_blocks(void)
{
	static char *blocks[SMALL_COUNT];
	int ok = 1;

	for (int i = 0; i < SMALL_COUNT; i++) {
		blocks[i] = malloc(100);
		if (!blocks[i]) {
			ok = 0;
			break;
		}
		memset(blocks[i], i & 0xff, 100);
	}
	for (int i = 0; i < SMALL_COUNT && ok; i++)
		for (int j = 0; j < 100; j++)
			if (blocks[i][j] != (char)(i & 0xff))
				ok = 0;
	for (int i = 0; i < SMALL_COUNT; i++)
		free(blocks[i]);
	check(ok, "40000 blocks of 100 bytes (past the old 256 KiB arena)");
}

static void large_block(void)
{
	uint64_t before = free_pages(), with, after;
	uint64_t pages = (LARGE + 16 + 4095) / 4096;
	char *p = malloc(LARGE);

	with = free_pages();
	if (p) {
		memset(p, 0x5a, LARGE);
		free(p);
	}
	after = free_pages();
	printf("memtest: an 8 MiB block: %llu pages free before, %llu with it, %llu after\n",
	       (unsigned long long)before, (unsigned long long)with, (unsigned long long)after);
	check(p && before - with == pages, "an 8 MiB block takes its own run of pages");
	check(p && after == before, "freeing it gives every page back");
}

static void growing(void)
{
	char *p = malloc(16);
	int ok = p != NULL;

	for (size_t size = 16; ok && size < (1u << 20); size *= 2) {
		char *q;

		memset(p + size / 2, (int)(size & 0x7f), size - size / 2);
		q = realloc(p, size * 2);
		if (!q) {
			ok = 0;
			break;
		}
		p = q;
		for (size_t k = 16; k <= size; k *= 2)
			for (size_t i = k / 2; i < k; i++)
				if (k > 16 && p[i] != (char)(k & 0x7f))
					ok = 0;
	}
	free(p);
	check(ok, "realloc from 16 bytes to 1 MiB keeps the contents");
}

static const struct threads_door *threads;
static threads_thread main_thread;
static int worker_errors;

static void worker(uintptr_t id)
{
	uint64_t seed = id * 0x9e3779b97f4a7c15ull + 7;
	char *held[8] = {0};
	size_t sizes[8] = {0};

	for (int r = 0; r < 4000; r++) {
		int slot = r % 8;

		if (held[slot]) {
			if (held[slot][0] != (char)id || held[slot][sizes[slot] - 1] != (char)id)
				__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
			free(held[slot]);
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		sizes[slot] = (seed >> 33) % 8 == 0 ? 5000 + (seed >> 40) % 60000 : 1 + (seed >> 40) % 600;
		held[slot] = malloc(sizes[slot]);
		if (!held[slot]) {
			__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		memset(held[slot], (int)id, sizes[slot]);
	}
	for (int slot = 0; slot < 8; slot++)
		free(held[slot]);
	threads_signal(threads, main_thread, 1ull << id);
}

static void several_threads(void)
{
	threads_current_result me;
	uint64_t want = 0, got = 0;

	threads = threads_door_find();
	me = threads ? threads_current(threads) : 0;
	if (!threads || !threads_current_result_is_thread(me)) {
		check(0, "threads allocating at once (no Threads door)");
		return;
	}
	main_thread = (threads_thread)me;
	for (uintptr_t i = 0; i < WORKERS; i++) {
		threads_spawn_result t = threads_spawn(threads, worker, i, 3, 1,
						       (threads_name)(uintptr_t)"memtest worker");

		if (threads_spawn_result_is_thread(t))
			want |= 1ull << i;
	}
	while (got != want)
		got |= threads_wait(threads, want);
	check(want == (1u << WORKERS) - 1 && !worker_errors,
	      "4 threads allocating and freeing at once, small and large blocks");
}

int main(void)
{
	uint64_t start;

	mem = memory_door_find();
	if (!mem) {
		printf("memtest: no Memory door on this system\n");
		return 1;
	}
	start = free_pages();
	small_blocks();
	large_block();
	growing();
	several_threads();
	printf("memtest: %llu pages free at the start, %llu at the end (small-block chunks are kept)\n",
	       (unsigned long long)start, (unsigned long long)free_pages());
	if (failures)
		printf("memtest: %d failed\n", failures);
	else
		printf("memtest: all ok\n");
	return failures != 0;
}
