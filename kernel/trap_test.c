/* In-kernel tests of fault reports. */
#include "core/thread.h"
#include "kernel/fault.h"
#include "lib/string.h"
#include "lib/test.h"

#define BAD_ADDRESS 0xffffd0fff0000000ull /* unmapped, in the programs region */

__attribute__((noinline)) void trap_test_deliberate_fault(void);
__attribute__((noinline)) void trap_test_deliberate_fault(void)
{
	*(volatile uint64_t *)BAD_ADDRESS = 42;
	__asm__ volatile(""); /* keep the frame: not a tail position */
}

TEST(trap, fault_backtrace_names_the_function)
{
	struct fault_catch c;

	if (fault_catch_begin(&c) == 0) {
		trap_test_deliberate_fault();
		fault_catch_end(&c);
		test_failed = true;
		return;
	}
	test_diag("backtrace: %s", c.backtrace);
	EXPECT(strncmp(c.backtrace, "trap_test_deliberate_fault+", 27) == 0);
	EXPECT(strstr(c.backtrace, "test_trap_fault_backtrace_names_the_function"));
	EXPECT_EQ(c.cr2, BAD_ADDRESS);
}

static void faulting_thread(void *arg)
{
	trap_test_deliberate_fault();
}

TEST(trap, faulting_thread_is_stopped_and_recorded)
{
	struct thread_opts o = {
		.entry = faulting_thread,
		.priority = PRIO_REGULAR,
		.name = "doomed",
		.hart = -1,
		.notify = thread_current(),
		.notify_bits = 1,
	};
	uint64_t before = fault_count();
	const struct fault_record *r;

	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	thread_wait(1);
	ASSERT_EQ(fault_count(), before + 1);
	r = fault_get(before);
	ASSERT(r != NULL);
	EXPECT_STREQ(r->thread_name, "doomed");
	EXPECT_EQ(r->vector, 14);
	EXPECT_EQ(r->cr2, BAD_ADDRESS);
	EXPECT(strncmp(r->backtrace, "trap_test_deliberate_fault+", 27) == 0);
}
