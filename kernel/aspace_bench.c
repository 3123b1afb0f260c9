/*
 * Address space benchmarks (make bench; kernel): an empty space created and
 * destroyed; one with sixteen pages mapped in it (its tables too); and a
 * round trip through a space's tables (load them, read a word, load the
 * kernel's), with the translations its PCID kept where the CPU has PCIDs;
 * and a trip into ring 3 and back (sysret, then a syscall at once).
 */
#include <lemmings/aspace.h>

#include "arch/cpu.h"
#include "core/platform.h"
#include "kernel/aspace.h"
#include "lib/test.h"

#define OPS 10000

TEST(bench, aspace_create_destroy)
{
	const struct aspace_door *d = aspace_door_kernel();
	uint64_t c0 = rdtsc(), n0 = plat_now_ns();

	for (int i = 0; i < OPS; i++) {
		aspace_create_result s = aspace_create(d, 1);

		ASSERT(aspace_create_result_is_space(s));
		ASSERT_EQ(aspace_destroy(d, s), LM_OK);
	}
	bench_report("aspace.create_destroy", rdtsc() - c0, plat_now_ns() - n0, OPS);
}

TEST(bench, aspace_create_map16_destroy)
{
	const struct aspace_door *d = aspace_door_kernel();
	uint64_t c0 = rdtsc(), n0 = plat_now_ns();

	for (int i = 0; i < OPS / 10; i++) {
		aspace_create_result s = aspace_create(d, 64);

		ASSERT(aspace_create_result_is_space(s));
		ASSERT_EQ(aspace_map(d, s, 0x400000, 16, 1), LM_OK);
		ASSERT_EQ(aspace_destroy(d, s), LM_OK);
	}
	bench_report("aspace.create_map16_destroy", rdtsc() - c0, plat_now_ns() - n0, OPS / 10);
}

TEST(bench, aspace_tables_round_trip)
{
	const struct aspace_door *d = aspace_door_kernel();
	aspace_create_result s = aspace_create(d, 8);
	uint64_t c0, n0, value;

	ASSERT(aspace_create_result_is_space(s));
	ASSERT_EQ(aspace_map(d, s, 0x400000, 1, 1), LM_OK);
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < OPS; i++)
		ASSERT_EQ(aspace_probe_read(s, 0x400000, &value), LM_OK);
	bench_report("aspace.tables_round_trip", rdtsc() - c0, plat_now_ns() - n0, OPS);
	ASSERT_EQ(aspace_destroy(d, s), LM_OK);
}

/* Into ring 3 in a space and back: the space's tables loaded, sysret, a
 * syscall at once, the kernel's tables loaded again. */
TEST(bench, aspace_ring3_round_trip)
{
	static const uint8_t code[] = {0x0f, 0x05}; /* syscall */
	const struct aspace_door *d = aspace_door_kernel();
	aspace_create_result s = aspace_create(d, 16);
	uint64_t c0, n0;

	ASSERT(aspace_create_result_is_space(s));
	ASSERT_EQ(aspace_map(d, s, 0x400000, 1, 1), LM_OK);
	ASSERT_EQ(aspace_write(s, 0x400000, code, sizeof code), LM_OK);
	ASSERT_EQ(aspace_protect(d, s, 0x400000, 1, 2), LM_OK);
	c0 = rdtsc();
	n0 = plat_now_ns();
	for (int i = 0; i < OPS; i++) {
		struct uvm_regs r = {.rip = 0x400000, .rsp = 0x800000};

		ASSERT_EQ(aspace_run(s, &r, NULL), LM_OK);
	}
	bench_report("aspace.ring3_round_trip", rdtsc() - c0, plat_now_ns() - n0, OPS);
	ASSERT_EQ(aspace_destroy(d, s), LM_OK);
}
