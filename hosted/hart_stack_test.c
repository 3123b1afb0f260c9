/*
 * Calls into libc and Linux run on the hart stack (hosted/hart_stack.c),
 * not on a Lemmings thread's page: a one-page thread that has used all
 * but LEFT bytes of its stack calls each platform routine that reaches
 * libc, and goes on. Without the hart stack, glibc's own frames (and, in
 * a lazily bound binary, ld.so's resolver, which saves about 3 KiB of
 * registers on the first call of each function) run into the guard page,
 * and the fault handler stops the thread.
 *
 * Below the frame that makes the call, the free stack is painted first, so
 * each test also reports how many bytes of the thread's stack the call
 * took (and fails if the paint shows more than LEFT, which matters when a
 * stack has no guard page).
 */
#include <lemmings/systab.h>

#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "hosted/hosted.h"
#include "lib/test.h"

#define LEFT 512
#define PAINT 0xa5
#define ENDED (1ull << 0)

struct low_call {
	void (*fn)(void);
	bool returned;  /* fn came back: the thread was not stopped */
	size_t used;    /* bytes of the thread's stack below the call, from the paint */
};

static inline uintptr_t current_sp(void)
{
	uintptr_t sp;

	__asm__ volatile("movq %%rsp, %0" : "=r"(sp));
	return sp;
}

/* Take all but LEFT bytes of the page's stack, paint what is left, call. */
__attribute__((noinline)) static void call_with_little_stack(struct low_call *c)
{
	uintptr_t base = thread_current()->stack_base, sp = current_sp();
	volatile char *pad = __builtin_alloca(sp - base - LEFT);
	volatile char *p, *top;

	pad[0] = 0;
	top = (volatile char *)current_sp();
	for (p = (volatile char *)base; p < top; p++)
		*p = (char)PAINT;
	c->fn();
	for (p = (volatile char *)base; p < top && *p == (char)PAINT; p++)
		;
	c->used = (size_t)(top - p);
	c->returned = true;
}

static void low_thread(void *arg)
{
	call_with_little_stack(arg);
}

/* Run fn in a one-page thread with LEFT bytes of stack left. */
static void run_with_little_stack(void (*fn)(void), const char *what)
{
	struct low_call c = {.fn = fn};
	struct thread_opts o = {.entry = low_thread, .arg = &c, .priority = PRIO_REGULAR,
				.stack_pages = 1, .name = "low-stack",
				.hart = (int)this_hart()->id, .notify = thread_current(),
				.notify_bits = ENDED};
	uint64_t faults = hosted_fault_count();

	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	thread_wait(ENDED);
	EXPECT(c.returned);
	EXPECT_EQ(hosted_fault_count(), faults);
	if (c.returned) {
		test_diag("%s with %d bytes of stack left: %zu bytes of it used", what, LEFT,
			  c.used);
		EXPECT(c.used < LEFT);
	}
}

static void page_alloc_free(void)
{
	void *page = plat_page_alloc();

	if (page)
		plat_page_free(page);
}

TEST(hosted_hart_stack, little_stack_page_alloc_free)
{
	run_with_little_stack(page_alloc_free, "plat_page_alloc, plat_page_free");
}

static uint64_t program_base;
static enum lm_err program_err[2];

static void program_memory(void)
{
	program_err[0] = plat_program_reserve(3 * 4096, &program_base);
	if (program_err[0])
		return;
	program_err[1] = plat_program_protect(program_base, 4096, PLAT_PROT_READ | PLAT_PROT_EXEC);
	plat_program_release(program_base, 3 * 4096);
}

TEST(hosted_hart_stack, little_stack_program_memory)
{
	run_with_little_stack(program_memory,
			      "plat_program_reserve, plat_program_protect, plat_program_release");
	EXPECT_EQ(program_err[0], LM_OK);
	EXPECT_EQ(program_err[1], LM_OK);
}

static uintptr_t new_stack;

/* 7 pages: no other thread in this binary uses that size, so the free list
 * is empty and the allocation carves a new slot (mmap, mprotect). */
static void stack_alloc_free(void)
{
	new_stack = plat_stack_alloc(7);
	if (new_stack)
		plat_stack_free(new_stack, 7);
}

TEST(hosted_hart_stack, little_stack_stack_alloc)
{
	run_with_little_stack(stack_alloc_free, "plat_stack_alloc (a new slot), plat_stack_free");
	EXPECT(new_stack != 0);
}

static void log_line(void)
{
	static const char line[] = "# a line logged from a thread with little stack left\n";

	lm_log(line, sizeof line - 1);
}

TEST(hosted_hart_stack, little_stack_log)
{
	run_with_little_stack(log_line, "log (the system table)");
}

static uint64_t now;

static void read_clock(void)
{
	now = plat_now_ns();
}

TEST(hosted_hart_stack, little_stack_now_ns)
{
	run_with_little_stack(read_clock, "plat_now_ns (directly, the vDSO)");
	EXPECT(now != 0);
}

/* The futex wake of a kick, made only when the target hart sleeps: hart 1
 * has had 5 ms with nothing to do, far past its 50 us of spinning. */
static void kick_hart_1(void)
{
	plat_hart_kick(&harts[1]);
}

TEST(hosted_hart_stack, little_stack_hart_kick)
{
	if (hart_count < 2) {
		test_diag("one hart: no other hart to wake (LEMMINGS_HARTS=2 runs this)");
		return;
	}
	timer_sleep_ns(5000000);
	run_with_little_stack(kick_hart_1, "plat_hart_kick (a sleeping hart)");
}

/* The hart stack is where the calls ran: not on the thread's page. */
static bool was_on_hart_stack;

static void note_stack(void *arg)
{
	was_on_hart_stack = hosted_hart_stack_has(current_sp());
}

TEST(hosted_hart_stack, calls_run_on_the_hart_stack)
{
	EXPECT(!hosted_hart_stack_has(current_sp()));
	hosted_on_hart_stack(note_stack, NULL);
	EXPECT(was_on_hart_stack);
}

/* A call from the hart stack runs there directly, without a second switch. */
static uintptr_t outer_sp, inner_sp;

static void inner(void *arg)
{
	inner_sp = current_sp();
}

static void outer(void *arg)
{
	outer_sp = current_sp();
	hosted_on_hart_stack(inner, NULL);
}

TEST(hosted_hart_stack, nested_calls_stay_on_it)
{
	hosted_on_hart_stack(outer, NULL);
	EXPECT(hosted_hart_stack_has(inner_sp));
	EXPECT(inner_sp < outer_sp);
}
