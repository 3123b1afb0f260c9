/*
 * Door call benchmark (make bench; kernel and hosted): a call through a
 * door found in the hallway, against a direct call and an indirect call of
 * the same function. A door call is an indirect call through the door's
 * table, so the target is within noise of the indirect call.
 */
#include <lemmings/door.h>

#include "arch/cpu.h"
#include "core/hallway.h"
#include "core/platform.h"
#include "lib/test.h"

#define CALLS 1000000

__attribute__((noinline)) static uint64_t add_one(uint64_t x)
{
	__asm__ volatile("");
	return x + 1;
}

static struct {
	struct lm_door door;
	uint64_t (*add_one)(uint64_t);
} counter_door = {
	.door = {.api_id = {{0xbe, 0x4c, 0x40}}, .name = "bench-counter", .routine_count = 1},
	.add_one = add_one,
};

static void report(const char *name, uint64_t c0, uint64_t n0)
{
	bench_report(name, rdtsc() - c0, plat_now_ns() - n0, CALLS);
}

TEST(bench, door_call)
{
	uint64_t (*volatile indirect)(uint64_t) = add_one;
	const typeof(counter_door) *d;
	uint64_t x = 0, c0, n0;

	if (!hallway_find(&counter_door.door.api_id))
		ASSERT_EQ(hallway_register(&counter_door.door), LM_OK);
	d = (const void *)hallway_find(&counter_door.door.api_id);
	ASSERT(d != NULL);

	c0 = rdtsc(), n0 = plat_now_ns();
	for (int i = 0; i < CALLS; i++)
		x = add_one(x);
	report("call_direct", c0, n0);

	c0 = rdtsc(), n0 = plat_now_ns();
	for (int i = 0; i < CALLS; i++)
		x = indirect(x);
	report("call_indirect", c0, n0);

	c0 = rdtsc(), n0 = plat_now_ns();
	for (int i = 0; i < CALLS; i++) {
		/* As a program would: the door pointer is not a constant. */
		__asm__ volatile("" : "+r"(d));
		x = d->add_one(x);
	}
	report("call_door", c0, n0);
	EXPECT_EQ(x, 3 * CALLS);
}
