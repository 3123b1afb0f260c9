/*
 * In-kernel tests of the Memory door's kernel home (kernel/memory_door.c),
 * called through the door as a program calls it. Counts are the door's own
 * query, which is pmm's: exact, so before and after must be equal.
 */
#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/vm.h"
#include "core/hart.h"
#include "core/stack.h"
#include "core/thread.h"
#include "kernel/kstack.h"
#include "kernel/memory_door.h"
#include "kernel/pmm.h"
#include "lib/test.h"

static const struct memory_door *door(void)
{
	return memory_door_find(); /* the published one, as a program finds it */
}

static uint64_t free_now(void)
{
	struct memory_info info;

	if (memory_query(door(), &info))
		return 0;
	return info.free_pages;
}

/* Are all of a run's bytes zero? */
static bool all_zero(uintptr_t addr, uint64_t pages)
{
	const uint64_t *w = (const uint64_t *)addr;

	for (uint64_t i = 0; i < pages * PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

TEST(memory, the_door_is_published_by_the_kernel)
{
	struct memory_info info;

	ASSERT(door() != NULL);
	EXPECT_EQ(door(), memory_door_kernel());
	ASSERT_EQ(memory_query(door(), &info), LM_OK);
	EXPECT_EQ(info.page_size, PAGE_SIZE);
	EXPECT_EQ(info.total_pages, pmm_total_pages());
	EXPECT_EQ(info.free_pages, pmm_free_pages());
	EXPECT(info.free_pages < info.total_pages);
}

/*
 * Take one page at a time until the door says LM_ERR_NOMEM, checking each
 * is zero; the pages are chained through their first word. Then a clear
 * error for runs of every kind, and everything back: the count is exact.
 */
TEST(memory, allocate_until_exhausted_then_everything_back)
{
	struct memory_run run;
	uint64_t before, taken = 0, list = 0, dirty = 0;
	memory_status err;

	kstack_drain();
	before = free_now();
	while ((err = memory_alloc(door(), 1, 0, 0, &run)) == LM_OK) {
		if (!all_zero(run.addr, 1))
			dirty++;
		*(uint64_t *)run.addr = list;
		((uint64_t *)run.addr)[1] = 0x5a5a5a5a5a5a5a5a; /* for the zeroing check */
		list = run.addr;
		taken++;
	}
	EXPECT_EQ(err, LM_ERR_NOMEM);
	EXPECT_EQ(taken, before);
	EXPECT_EQ(dirty, 0);
	EXPECT_EQ(free_now(), 0);
	EXPECT_EQ(memory_alloc(door(), 1, 1, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_alloc(door(), 2, 0, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_alloc(door(), 1, 1, 1ull << 32, &run), LM_ERR_NOMEM);
	test_diag("%llu pages (%llu MiB) taken one at a time", (unsigned long long)taken,
		  (unsigned long long)(taken >> 8));
	while (list) {
		uint64_t next = *(uint64_t *)list;

		ASSERT_EQ(memory_free(door(), list, 1), LM_OK);
		list = next;
	}
	EXPECT_EQ(free_now(), before);
}

/* Runs in all sizes until none is left, then all back. */
TEST(memory, runs_until_exhausted_then_everything_back)
{
	struct memory_run run;
	uint64_t before, list = 0, pages = 64;

	kstack_drain();
	before = free_now();
	for (;;) {
		memory_status err = memory_alloc(door(), pages, 1, 0, &run);

		if (err == LM_ERR_NOMEM && pages > 1) {
			pages /= 2;
			continue;
		}
		if (err) {
			EXPECT_EQ(err, LM_ERR_NOMEM);
			break;
		}
		((uint64_t *)run.addr)[0] = list;
		((uint64_t *)run.addr)[1] = pages;
		list = run.addr;
	}
	EXPECT_EQ(free_now(), 0);
	while (list) {
		uint64_t next = ((uint64_t *)list)[0], n = ((uint64_t *)list)[1];

		ASSERT_EQ(memory_free(door(), list, n), LM_OK);
		list = next;
	}
	EXPECT_EQ(free_now(), before);
}

/* A contiguous run is contiguous in the page tables, not only in its
 * reported address, and lies below max_phys. */
TEST(memory, contiguous_runs_are_contiguous)
{
	static const uint64_t sizes[] = {1, 2, 7, 64, 513};
	static const uint64_t limits[] = {0, 1ull << 32, 16ull << 20};

	for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (unsigned l = 0; l < sizeof limits / sizeof limits[0]; l++) {
			struct memory_run run;
			uint64_t phys, bad = 0;

			ASSERT_EQ(memory_alloc(door(), sizes[s], 1, limits[l], &run), LM_OK);
			EXPECT(run.phys != 0);
			EXPECT_EQ(run.addr % PAGE_SIZE, 0);
			for (uint64_t i = 0; i < sizes[s]; i++)
				if (!vm_translate(run.addr + i * PAGE_SIZE, &phys) ||
				    phys != run.phys + i * PAGE_SIZE)
					bad++;
			EXPECT_EQ(bad, 0);
			if (limits[l])
				EXPECT(run.phys + sizes[s] * PAGE_SIZE <= limits[l]);
			EXPECT(all_zero(run.addr, sizes[s]));
			EXPECT_EQ(memory_free(door(), run.addr, sizes[s]), LM_OK);
		}
}

TEST(memory, no_run_below_an_impossible_limit)
{
	struct memory_run run;
	uint64_t before = free_now();

	EXPECT_EQ(memory_alloc(door(), 1, 1, 1 << 20, &run), LM_ERR_NOMEM); /* firmware's MiB */
	EXPECT_EQ(memory_alloc(door(), before + 1, 1, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(memory_alloc(door(), 0xffffffffffff, 0, 0, &run), LM_ERR_NOMEM);
	EXPECT_EQ(free_now(), before);
}

/*
 * A program's data does not outlive its free: the run is cleared before its
 * pages go back, so pmm's own uncleared pmm_alloc_page (the kernel's way)
 * finds zeroes, apart from the free list's two links.
 */
TEST(memory, freed_pages_are_zeroed_before_reuse)
{
	struct memory_run run;
	uint64_t p, dirty = 0;

	ASSERT_EQ(memory_alloc(door(), 4, 1, 0, &run), LM_OK);
	for (uint64_t i = 0; i < 4 * PAGE_SIZE / 8; i++)
		((uint64_t *)run.addr)[i] = ~0ull;
	ASSERT_EQ(memory_free(door(), run.addr, 4), LM_OK);
	/* The last page freed is the free list's head: the run's last page. */
	p = pmm_alloc_page();
	ASSERT_EQ(p, run.phys + 3 * PAGE_SIZE);
	for (unsigned i = 2; i < PAGE_SIZE / 8; i++)
		if (((uint64_t *)phys_to_virt(p))[i])
			dirty++;
	EXPECT_EQ(dirty, 0);
	pmm_free_page(p);
	/* And a run taken again is all zero, links included. */
	ASSERT_EQ(memory_alloc(door(), 4, 1, 0, &run), LM_OK);
	EXPECT(all_zero(run.addr, 4));
	EXPECT_EQ(memory_free(door(), run.addr, 4), LM_OK);
}

/* Frees of anything but an exact live run: LM_ERR_INVAL, nothing changes. */
TEST(memory, bad_frees_are_refused)
{
	struct memory_run a, b;
	uint64_t before, kpage = pmm_alloc_page();
	static uint64_t kdata;

	ASSERT(kpage != 0);
	ASSERT_EQ(memory_alloc(door(), 4, 1, 0, &a), LM_OK);
	ASSERT_EQ(memory_alloc(door(), 1, 0, 0, &b), LM_OK);
	before = free_now();
	EXPECT_EQ(memory_free(door(), 0, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), 0x1000, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), (uintptr_t)&kdata & ~0xfffull, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), PROGRAMS_BASE, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), DIRECT_MAP_BASE, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), DIRECT_MAP_BASE + DIRECT_MAP_SIZE - PAGE_SIZE, 1),
		  LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), ~0ull & ~0xfffull, 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), (uintptr_t)phys_to_virt(kpage), 1), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr + 8, 4), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, 0), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, 3), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, 5), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr + PAGE_SIZE, 3), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), a.addr, ~0ull), LM_ERR_INVAL);
	EXPECT_EQ(memory_free(door(), b.addr, 2), LM_ERR_INVAL);
	EXPECT_EQ(free_now(), before);
	EXPECT(pmm_is_allocated(kpage));
	EXPECT_EQ(memory_alloc(door(), 1, 2, 0, &b), LM_ERR_INVAL);
	EXPECT_EQ(memory_alloc(door(), 0, 0, 0, &b), LM_ERR_INVAL);
	EXPECT_EQ(memory_alloc(door(), 1, 0, 0, (struct memory_run *)0x10), LM_ERR_INVAL);
	EXPECT_EQ(memory_query(door(), (struct memory_info *)PROGRAMS_BASE - 1), LM_ERR_INVAL);
	ASSERT_EQ(memory_free(door(), a.addr, 4), LM_OK);
	EXPECT_EQ(memory_free(door(), a.addr, 4), LM_ERR_INVAL); /* twice */
	ASSERT_EQ(memory_free(door(), b.addr, 1), LM_OK);
	EXPECT_EQ(memory_free(door(), b.addr, 1), LM_ERR_INVAL);
	EXPECT_EQ(free_now(), before + 5);
	pmm_free_page(kpage);
}

#define WORKERS 8
#define ROUNDS 300
#define WORKER_DONE (1ull << 0)

static uint64_t worker_errors;

/* Allocate and free runs of 1 to 16 pages, each stamped with its owner and
 * checked before it goes back; the door's other callers must never touch
 * it. Little stack: a thread has one page. */
static void worker(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg, seed = id * 0x9e3779b97f4a7c15ull + 1;
	uintptr_t held[4] = {0};
	uint64_t held_pages[4] = {0};

	for (int r = 0; r < ROUNDS; r++) {
		unsigned slot = r % 4;
		struct memory_run run;

		if (held[slot]) {
			const uint64_t *w = (const uint64_t *)held[slot];

			for (uint64_t i = 0; i < held_pages[slot] * PAGE_SIZE / 8; i += 64)
				if (w[i] != (id << 32 | (uint64_t)slot))
					__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
			if (memory_free(door(), held[slot], held_pages[slot]))
				__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
			held[slot] = 0;
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		held_pages[slot] = 1 + (seed >> 33) % 16;
		if (memory_alloc(door(), held_pages[slot], (seed >> 20) & 1, 0, &run)) {
			__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (!all_zero(run.addr, held_pages[slot]))
			__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
		for (uint64_t i = 0; i < held_pages[slot] * PAGE_SIZE / 8; i += 64)
			((uint64_t *)run.addr)[i] = id << 32 | (uint64_t)slot;
		held[slot] = run.addr;
	}
	for (unsigned slot = 0; slot < 4; slot++)
		if (held[slot] && memory_free(door(), held[slot], held_pages[slot]))
			__atomic_add_fetch(&worker_errors, 1, __ATOMIC_RELAXED);
}

TEST(memory, threads_on_every_hart_allocate_and_free_at_once)
{
	uint64_t before;

	kstack_drain();
	before = free_now() + stack_cached();
	worker_errors = 0;
	for (uint64_t i = 0; i < WORKERS; i++) {
		struct thread_opts o = {.entry = worker, .arg = (void *)(uintptr_t)(i + 1),
					.priority = PRIO_REGULAR, .hart = (int)(i % hart_count),
					.notify = thread_current(), .notify_bits = 1ull << i};

		ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	}
	for (uint64_t got = 0; got != (1ull << WORKERS) - 1;)
		got |= thread_wait((1ull << WORKERS) - 1);
	EXPECT_EQ(worker_errors, 0);
	test_diag("%d threads on %u harts, %d allocations each", WORKERS, hart_count, ROUNDS);
	kstack_drain();
	EXPECT_EQ(free_now() + stack_cached(), before);
}
