/*
 * Tests of the Memory door (sdk/idl/memory.idl) in either home, called
 * through the hallway as a program calls it: built into the kernel
 * (kernel/memory_door.c) and into hosted_memory_door_test
 * (hosted/memory_door.c, with a budget of 64 MiB). What only one home
 * does is tested beside it: kernel/memory_door_test.c (contiguity in the
 * page tables, pmm's pages cleared) and hosted/memory_door_test.c.
 *
 * The counts are the door's own query, exact in both homes: before and
 * after must be equal.
 */
#include <lemmings/memory.h>

#include "core/hart.h"
#include "core/thread.h"
#include "lib/test.h"
#include "services/memory_test.h"

#define PAGE 4096

static const struct memory_door *door(void)
{
	return memory_door_find();
}

uint64_t memory_test_free_pages(void)
{
	struct memory_info info;

	return memory_query(door(), &info) ? 0 : info.free_pages;
}

bool memory_test_all_zero(uintptr_t addr, uint64_t pages)
{
	const uint64_t *w = (const uint64_t *)addr;

	for (uint64_t i = 0; i < pages * PAGE / 8; i++)
		if (w[i])
			return false;
	return true;
}

TEST(memory, the_door_is_published)
{
	struct memory_info info;

	ASSERT(door() != NULL);
	ASSERT_EQ(memory_query(door(), &info), LM_OK);
	EXPECT_EQ(info.page_size, PAGE);
	EXPECT(info.free_pages <= info.total_pages);
	EXPECT(info.free_pages > 0);
	EXPECT_EQ(memory_query(door(), NULL), LM_ERR_INVAL);
}

/*
 * Take one page at a time until the door says LM_ERR_NOMEM, each zero and
 * chained through its first word; then a clear error for every size, and
 * everything back: the count is exact.
 */
TEST(memory, allocate_until_exhausted_then_everything_back)
{
	struct memory_run run;
	uint64_t before = memory_test_free_pages(), taken = 0, list = 0, dirty = 0;
	memory_status err;

	while ((err = memory_alloc(door(), 1, 0, 0, &run)) == LM_OK) {
		if (!memory_test_all_zero(run.addr, 1))
			dirty++;
		((uint64_t *)run.addr)[0] = list;
		((uint64_t *)run.addr)[1] = ~0ull; /* to be cleared before reuse */
		list = run.addr;
		taken++;
	}
	EXPECT_EQ(err, LM_ERR_NOMEM);
	EXPECT_EQ(taken, before);
	EXPECT_EQ(dirty, 0);
	EXPECT_EQ(memory_test_free_pages(), 0);
	EXPECT_EQ(memory_alloc(door(), 1, 0, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_alloc(door(), 2, 0, 0, &run), LM_ERR_NOMEM);
	test_diag("%llu pages (%llu MiB) taken one at a time", (unsigned long long)taken,
		  (unsigned long long)(taken >> 8));
	while (list) {
		uint64_t next = *(uint64_t *)list;

		ASSERT_EQ(memory_free(door(), list, 1), LM_OK);
		list = next;
	}
	EXPECT_EQ(memory_test_free_pages(), before);
}

/* Runs of 64 pages, then halving, until none is left; all zero; all back. */
TEST(memory, runs_until_exhausted_then_everything_back)
{
	struct memory_run run;
	uint64_t before = memory_test_free_pages(), list = 0, pages = 64, dirty = 0;

	for (;;) {
		memory_status err = memory_alloc(door(), pages, 0, 0, &run);

		if (err == LM_ERR_NOMEM && pages > 1) {
			pages /= 2;
			continue;
		}
		if (err) {
			EXPECT_EQ(err, LM_ERR_NOMEM);
			break;
		}
		if (!memory_test_all_zero(run.addr, pages))
			dirty++;
		((uint64_t *)run.addr)[0] = list;
		((uint64_t *)run.addr)[1] = pages;
		list = run.addr;
	}
	EXPECT_EQ(dirty, 0);
	EXPECT_EQ(memory_test_free_pages(), 0);
	while (list) {
		uint64_t next = ((uint64_t *)list)[0], n = ((uint64_t *)list)[1];

		ASSERT_EQ(memory_free(door(), list, n), LM_OK);
		list = next;
	}
	EXPECT_EQ(memory_test_free_pages(), before);
}

TEST(memory, more_than_there_is_is_a_clear_error)
{
	struct memory_run run;
	struct memory_info info;

	ASSERT_EQ(memory_query(door(), &info), LM_OK);
	EXPECT_EQ(memory_alloc(door(), info.total_pages + 1, 0, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_alloc(door(), 0xffffffffffff, 0, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_test_free_pages(), info.free_pages);
}

/* Frees of anything but an exact live run: LM_ERR_INVAL, nothing changes. */
TEST(memory, bad_frees_are_refused)
{
	static uint64_t data[PAGE / 8] __attribute__((aligned(PAGE)));
	struct memory_run a, b;
	uint64_t before;

	ASSERT_EQ(memory_alloc(door(), 4, 0, 0, &a), LM_OK);
	ASSERT_EQ(memory_alloc(door(), 1, 0, 0, &b), LM_OK);
	before = memory_test_free_pages();
	EXPECT_EQ(memory_free(door(), 0, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), 0x1000, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), (uintptr_t)data, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), ~0ull & ~0xfffull, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr + 8, 4), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, 0), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, 3), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, 5), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr + PAGE, 3), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, ~0ull), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), b.addr, 2), LM_ERR_INVAL);
	EXPECT_EQ(memory_test_free_pages(), before);
	EXPECT_EQ(memory_alloc(door(), 1, 2, 0, &b), LM_ERR_INVAL);
	EXPECT_EQ(memory_alloc(door(), 0, 0, 0, &b), LM_ERR_INVAL);
	EXPECT_EQ(memory_alloc(door(), 1, 0, 0, NULL), LM_ERR_INVAL);
	((uint64_t *)a.addr)[0] = 1; /* the runs are still the caller's */
	((uint64_t *)b.addr)[0] = 1;
	ASSERT_EQ(memory_free(door(), a.addr, 4), LM_OK);
	EXPECT_EQ(memory_free(door(), a.addr, 4), LM_ERR_INVAL); /* twice */
	ASSERT_EQ(memory_free(door(), b.addr, 1), LM_OK);
	EXPECT_EQ(memory_free(door(), b.addr, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_test_free_pages(), before + 5);
}

#define WORKERS 8
#define ROUNDS 300
#define GO (1ull << 0)
#define FINISH (1ull << 1)

static uint64_t worker_errors;
static struct thread *tester;

static void miss(void)
{
	__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
}

/*
 * Wait for GO; allocate and free runs of 1 to 16 pages, each stamped with
 * its owner and checked before it goes back (no other caller may touch
 * it); give all back and tell the tester; exit at FINISH, so that the
 * tester counts while every worker's stack is still its own. Little
 * stack: a thread has one page.
 */
static void worker(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg, seed = id * 0x9e3779b97f4a7c15ull + 1;
	uintptr_t held[4] = {0};
	uint64_t held_pages[4] = {0};

	thread_wait(GO);
	for (int r = 0; r < ROUNDS; r++) {
		unsigned slot = r % 4;
		struct memory_run run;
		uint64_t stamp = id << 32 | slot;

		if (held[slot]) {
			for (uint64_t i = 0; i < held_pages[slot] * PAGE / 8; i += 64)
				if (((const uint64_t *)held[slot])[i] != stamp)
					miss();
			if (memory_free(door(), held[slot], held_pages[slot]))
				miss();
			held[slot] = 0;
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		held_pages[slot] = 1 + (seed >> 33) % 16;
		if (memory_alloc(door(), held_pages[slot], 0, 0, &run)) {
			miss();
			continue;
		}
		if (!memory_test_all_zero(run.addr, held_pages[slot]))
			miss();
		for (uint64_t i = 0; i < held_pages[slot] * PAGE / 8; i += 64)
			((uint64_t *)run.addr)[i] = stamp;
		held[slot] = run.addr;
	}
	for (unsigned slot = 0; slot < 4; slot++)
		if (held[slot] && memory_free(door(), held[slot], held_pages[slot]))
			miss();
	thread_signal(tester, 1ull << (id + 8));
	thread_wait(FINISH);
}

TEST(memory, threads_on_every_hart_allocate_and_free_at_once)
{
	struct thread *w[WORKERS];
	uint64_t before, all_done = 0, all_gone = 0;

	worker_errors = 0;
	tester = thread_current();
	for (uint64_t i = 0; i < WORKERS; i++) {
		struct thread_opts o = {.entry = worker, .arg = (void *)(uintptr_t)i,
					.priority = PRIO_REGULAR, .hart = (int)(i % hart_count),
					.notify = tester, .notify_bits = 1ull << i};

		ASSERT_EQ(thread_spawn(&o, &w[i]), LM_OK);
		all_done |= 1ull << (i + 8);
		all_gone |= 1ull << i;
	}
	before = memory_test_free_pages(); /* every worker's stack taken */
	for (int i = 0; i < WORKERS; i++)
		thread_signal(w[i], GO);
	for (uint64_t got = 0; got != all_done;)
		got |= thread_wait(all_done);
	EXPECT_EQ(worker_errors, 0);
	EXPECT_EQ(memory_test_free_pages(), before);
	test_diag("%d threads on %u harts, %d runs each", WORKERS, hart_count, ROUNDS);
	for (int i = 0; i < WORKERS; i++)
		thread_signal(w[i], FINISH);
	for (uint64_t got = 0; got != all_gone;)
		got |= thread_wait(all_gone);
}
