/*
 * Host tests of memmap_clip: hand-made maps with the exact ranges and
 * warnings expected, then many random maps checked against the reference in
 * kernel/memmap_check.c. With MEMMAP_SEED_DIR set, memmap.seeds writes the
 * hand-made maps there in the fuzzer's input format (kernel/memmap_fuzz.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/memmap.h"
#include "kernel/memmap_check.h"
#include "lib/string.h"
#include "lib/test.h"

#define RAM BOOT_MEM_RAM
#define RES BOOT_MEM_RESERVED
#define ACPI BOOT_MEM_ACPI
#define NVS BOOT_MEM_NVS
#define BAD BOOT_MEM_BAD
#define LIMIT (1ull << 46) /* what the kernel passes: the direct map's size */
#define MAX_OUT 64
#define MAX_WARNS 32

static struct {
	int n;
	char lines[MAX_WARNS][MEMMAP_WARN_MAX];
	bool bad_message; /* empty, too long or multi-line */
} warns;

static void collect(void *ctx, const char *msg)
{
	size_t len = strnlen(msg, MEMMAP_WARN_MAX);

	if (!len || len == MEMMAP_WARN_MAX || strchr(msg, '\n'))
		warns.bad_message = true;
	if (warns.n < MAX_WARNS)
		memcpy(warns.lines[warns.n], msg, len + 1 < MEMMAP_WARN_MAX ? len + 1 : MEMMAP_WARN_MAX);
	warns.n++;
	test_diag("warning: %s", msg);
}

static struct memmap_range out[MAX_OUT];
static uint32_t count;

/* Clip, check against the reference, and keep the output in out/count. */
static void clip_cap(const struct boot_mem_range *in, uint32_t n, uint64_t limit, uint32_t cap)
{
	char why[160];

	memset(&warns, 0, sizeof warns);
	memset(out, 0xa5, sizeof out);
	count = memmap_clip(in, n, limit, out, cap, collect, NULL);
	if (!memmap_check(in, n, limit, out, count, cap, why, sizeof why)) {
		test_diag("reference check: %s", why);
		test_failed = true;
	}
	EXPECT(!warns.bad_message);
}

static void clip(const struct boot_mem_range *in, uint32_t n)
{
	clip_cap(in, n, LIMIT, MAX_OUT);
}

#define CLIP(...)                                                                  \
	do {                                                                       \
		static const struct boot_mem_range in_[] = {__VA_ARGS__};          \
		clip(in_, sizeof in_ / sizeof in_[0]);                             \
	} while (0)

static void expect_range(uint32_t i, uint64_t base, uint64_t end, uint32_t type)
{
	if (i >= count) {
		test_diag("range %u missing (%u ranges)", i, count);
		test_failed = true;
		return;
	}
	EXPECT_EQ(out[i].base, base);
	EXPECT_EQ(out[i].end, end);
	EXPECT_EQ(out[i].type, type);
}

/* QEMU's map for a 2 GiB q35 guest: sorted, disjoint, untouched. */
#define QEMU_MAP                                                                   \
	{0x0, 0x9fc00, RAM}, {0x9fc00, 0x400, RES}, {0xf0000, 0x10000, RES},      \
	{0x100000, 0x7fee0000, RAM}, {0x7ffe0000, 0x20000, RES},                  \
	{0xb0000000, 0x10000000, RES}, {0xfed1c000, 0x4000, RES},                 \
	{0xfeffc000, 0x4000, RES}, {0xfffc0000, 0x40000, RES},                     \
	{0xfd00000000, 0x300000000, RES}

TEST(memmap, firmware_map_passes_unchanged)
{
	static const struct boot_mem_range in[] = {QEMU_MAP};

	clip(in, sizeof in / sizeof in[0]);
	EXPECT_EQ(warns.n, 0);
	EXPECT_EQ(count, 10);
	expect_range(0, 0x0, 0x9fc00, RAM);
	expect_range(1, 0x9fc00, 0xa0000, RES);
	expect_range(2, 0xf0000, 0x100000, RES);
	expect_range(3, 0x100000, 0x7ffe0000, RAM);
	expect_range(4, 0x7ffe0000, 0x80000000, RES);
	expect_range(9, 0xfd00000000, 0x10000000000, RES);
}

TEST(memmap, unsorted_entries_come_out_sorted_without_warning)
{
	CLIP({0x100000000, 0x1000000, RAM}, {0x100000, 0xff00000, RAM}, {0xf0000, 0x10000, RES},
	     {0x0, 0x9f000, RAM});
	EXPECT_EQ(warns.n, 0);
	EXPECT_EQ(count, 4);
	expect_range(0, 0x0, 0x9f000, RAM);
	expect_range(1, 0xf0000, 0x100000, RES);
	expect_range(2, 0x100000, 0x10000000, RAM);
	expect_range(3, 0x100000000, 0x101000000, RAM);
}

TEST(memmap, partial_overlap_reserved_wins_with_one_line_naming_both)
{
	CLIP({0x100000, 0x1000000, RAM}, {0x1000000, 0x200000, RES});
	EXPECT_EQ(count, 2);
	expect_range(0, 0x100000, 0x1000000, RAM);
	expect_range(1, 0x1000000, 0x1200000, RES);
	ASSERT_EQ(warns.n, 1);
	EXPECT_STREQ(warns.lines[0], "0x100000-0x10fffff (available) overlaps "
				     "0x1000000-0x11fffff (reserved); reserved wins");
}

TEST(memmap, reserved_nested_in_available_splits_it)
{
	CLIP({0x0, 0x40000000, RAM}, {0x20000000, 0x1000, ACPI});
	EXPECT_EQ(count, 3);
	expect_range(0, 0x0, 0x20000000, RAM);
	expect_range(1, 0x20000000, 0x20001000, ACPI);
	expect_range(2, 0x20001000, 0x40000000, RAM);
	ASSERT_EQ(warns.n, 1);
	EXPECT_STREQ(warns.lines[0], "0x0-0x3fffffff (available) overlaps "
				     "0x20000000-0x20000fff (ACPI tables); ACPI tables wins");
}

TEST(memmap, available_nested_in_reserved_disappears)
{
	CLIP({0x20000000, 0x1000, RAM}, {0x0, 0x40000000, NVS});
	EXPECT_EQ(count, 1);
	expect_range(0, 0x0, 0x40000000, NVS);
	EXPECT_EQ(warns.n, 1);
}

TEST(memmap, overlapping_available_entries_merge)
{
	CLIP({0x100000, 0x200000, RAM}, {0x200000, 0x200000, RAM}, {0x100000, 0x100000, RAM});
	EXPECT_EQ(count, 1);
	expect_range(0, 0x100000, 0x400000, RAM);
	ASSERT_EQ(warns.n, 2);
	EXPECT_STREQ(warns.lines[0], "0x100000-0x2fffff (available) overlaps "
				     "0x200000-0x3fffff (available); merged");
}

TEST(memmap, restrictive_types_rank_bad_reserved_nvs_acpi)
{
	/* Four entries over the same page, in every order of arrival. */
	static const uint32_t types[4] = {ACPI, NVS, RES, BAD};

	for (int rot = 0; rot < 4; rot++) {
		struct boot_mem_range in[5];

		for (int i = 0; i < 4; i++)
			in[i] = (struct boot_mem_range){0x1000, 0x1000, types[(i + rot) % 4]};
		in[4] = (struct boot_mem_range){0x0, 0x3000, RAM};
		clip(in, 5);
		EXPECT_EQ(count, 3);
		expect_range(1, 0x1000, 0x2000, BAD);
	}
	CLIP({0x1000, 0x1000, NVS}, {0x1000, 0x1000, ACPI});
	expect_range(0, 0x1000, 0x2000, NVS);
	CLIP({0x1000, 0x1000, NVS}, {0x1000, 0x1000, RES});
	expect_range(0, 0x1000, 0x2000, RES);
}

TEST(memmap, unknown_types_count_as_reserved)
{
	CLIP({0x0, 0x3000, RAM}, {0x1000, 0x1000, 7}, {0x5000, 0x1000, 0}, {0x6000, 0x1000, 0xffffffff});
	EXPECT_EQ(count, 4);
	expect_range(1, 0x1000, 0x2000, RES);
	expect_range(3, 0x5000, 0x7000, RES);
	CLIP({0x1000, 0x1000, 12}, {0x1000, 0x1000, NVS}); /* above NVS */
	expect_range(0, 0x1000, 0x2000, RES);
}

TEST(memmap, zero_length_entries_are_ignored_silently)
{
	CLIP({0x0, 0x0, RES}, {0x100000, 0x100000, RAM}, {0x180000, 0, BAD},
	     {0xffffffffffffffff, 0, RES});
	EXPECT_EQ(warns.n, 0);
	EXPECT_EQ(count, 1);
	expect_range(0, 0x100000, 0x200000, RAM);
	CLIP({0x1000, 0, RAM});
	EXPECT_EQ(count, 0);
	EXPECT_EQ(warns.n, 0);
}

TEST(memmap, available_entry_that_wraps_is_dropped)
{
	CLIP({0x100000, 0x100000, RAM}, {0xfffffffffff00000, 0x200000, RAM});
	EXPECT_EQ(count, 1);
	expect_range(0, 0x100000, 0x200000, RAM);
	ASSERT_EQ(warns.n, 1);
	EXPECT_STREQ(warns.lines[0], "available at 0xfffffffffff00000, 0x200000 bytes long, "
				     "runs past the end of the address space; ignored");
	/* base + len overflowing by much: same */
	CLIP({0x200000, 0xffffffffffffffff, RAM});
	EXPECT_EQ(count, 0);
	EXPECT_EQ(warns.n, 1);
}

TEST(memmap, reserved_entry_that_wraps_reserves_to_the_limit)
{
	CLIP({0x0, 0x80000000, RAM}, {0x40000000, 0xffffffffffffffff, RES});
	EXPECT_EQ(count, 2);
	expect_range(0, 0x0, 0x40000000, RAM);
	expect_range(1, 0x40000000, LIMIT, RES);
	ASSERT_EQ(warns.n, 2);
	EXPECT_STREQ(warns.lines[0], "reserved at 0x40000000, 0xffffffffffffffff bytes long, "
				     "runs past the end of the address space; kept to the end");
}

TEST(memmap, entry_ending_exactly_at_2_64_does_not_wrap)
{
	CLIP({0xfffffffffffff000, 0x1000, RES}, {0x0, 0x1000, RAM});
	EXPECT_EQ(warns.n, 0); /* reserved above the limit: nothing to say */
	EXPECT_EQ(count, 1);
	clip_cap((const struct boot_mem_range[]){{0xfffffffffffff000, 0x1000, RAM}}, 1,
		 UINT64_MAX, MAX_OUT);
	EXPECT_EQ(count, 1);
	expect_range(0, 0xfffffffffffff000, UINT64_MAX, RAM); /* the last byte is the limit */
}

TEST(memmap, available_memory_past_the_limit_is_cut)
{
	CLIP({LIMIT - 0x200000, 0x400000, RAM}, {LIMIT + 0x1000, 0x1000, RAM},
	     {LIMIT, 0x100000, RES});
	EXPECT_EQ(count, 1);
	expect_range(0, LIMIT - 0x200000, LIMIT, RAM);
	EXPECT_EQ(warns.n, 2); /* one per available entry, none for the reserved one */
	clip_cap((const struct boot_mem_range[]){{0x0, 0x1000, RAM}}, 1, 0, MAX_OUT);
	EXPECT_EQ(count, 0);
}

TEST(memmap, a_full_output_keeps_a_correct_prefix)
{
	static const struct boot_mem_range in[] = {QEMU_MAP};

	clip_cap(in, sizeof in / sizeof in[0], LIMIT, 4);
	EXPECT_EQ(count, 4);
	expect_range(3, 0x100000, 0x7ffe0000, RAM);
	ASSERT_EQ(warns.n, 1);
	EXPECT_STREQ(warns.lines[0], "more than 4 ranges; the map from 0x7ffe0000 on is ignored");
	clip_cap(in, sizeof in / sizeof in[0], LIMIT, 0);
	EXPECT_EQ(count, 0);
}

TEST(memmap, warnings_are_bounded)
{
	struct boot_mem_range in[100];

	for (int i = 0; i < 100; i++)
		in[i] = (struct boot_mem_range){0x1000ull * (uint64_t)i, 0x100000, i & 1 ? RES : RAM};
	clip(in, 100);
	EXPECT_EQ(warns.n, MEMMAP_WARN_LINES + 1);
	EXPECT(strstr(warns.lines[MEMMAP_WARN_LINES], "more problems in the memory map not listed"));
	/* No callback: the same result, silently. */
	EXPECT_EQ(memmap_clip(in, 100, LIMIT, out, MAX_OUT, NULL, NULL), count);
}

/* xorshift64*, so that a failure can be replayed from its seed. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* Random maps on a coarse grid, so that entries collide often, plus now and
 * then an extreme value; every result is checked against the reference. */
TEST(memmap, random_maps_match_the_reference)
{
	static const uint64_t odd[] = {0, 1, 0xfff, UINT64_MAX, UINT64_MAX - 0xfff, LIMIT, LIMIT - 1};
	struct boot_mem_range in[24];
	struct memmap_range o[MEMMAP_OUT_MAX(24)];
	uint64_t seed = 0x2545f4914f6cdd1dull;
	char why[160];

	for (int iter = 0; iter < 20000; iter++) {
		uint64_t start = seed, limit = rnd(&seed) % 8 ? LIMIT : rnd(&seed) % 0x40000;
		uint32_t n = (uint32_t)(rnd(&seed) % 24), cap, c;

		for (uint32_t i = 0; i < n; i++) {
			uint64_t r = rnd(&seed);

			in[i].base = (r % 64) * 0x1000;
			in[i].len = ((r >> 8) % 24) * 0x1000;
			in[i].type = (uint32_t)((r >> 16) % 7);
			if (((r >> 24) & 31) == 0)
				in[i].base = odd[(r >> 32) % 7];
			if (((r >> 40) & 31) == 0)
				in[i].len = odd[(r >> 48) % 7];
		}
		cap = rnd(&seed) % 4 ? MEMMAP_OUT_MAX(n) : (uint32_t)(rnd(&seed) % 6);
		c = memmap_clip(in, n, limit, o, cap, NULL, NULL);
		if (!memmap_check(in, n, limit, o, c, cap, why, sizeof why)) {
			test_diag("seed 0x%llx: %s", (unsigned long long)start, why);
			test_failed = true;
			return;
		}
		if (cap == MEMMAP_OUT_MAX(n) && n && c == cap) {
			test_diag("seed 0x%llx: %u entries filled all %u slots",
				  (unsigned long long)start, n, cap);
			test_failed = true;
			return;
		}
	}
}

/* The fuzzer's seeds: 8 bytes of limit (0: the kernel's), 1 byte of capacity
 * (0: enough), then 20-byte entries (base, length, type; little-endian). */
static void write_seed(const char *dir, const char *name, const struct boot_mem_range *in,
		       uint32_t n, uint64_t limit, uint8_t cap)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		test_diag("cannot write %s", path);
		test_failed = true;
		return;
	}
	fwrite(&limit, 8, 1, f);
	fwrite(&cap, 1, 1, f);
	for (uint32_t i = 0; i < n; i++) {
		fwrite(&in[i].base, 8, 1, f);
		fwrite(&in[i].len, 8, 1, f);
		fwrite(&in[i].type, 4, 1, f);
	}
	fclose(f);
}

TEST(memmap, seeds)
{
	static const struct boot_mem_range qemu[] = {QEMU_MAP};
	static const struct boot_mem_range messy[] = {
		{0x100000, 0x7fee0000, RAM}, {0x0, 0x9fc00, RAM}, {0x9f000, 0x2000, RES},
		{0x20000000, 0x1000, ACPI}, {0x20000000, 0x100000, NVS}, {0x7f000000, 0, BAD},
		{0x30000000, 0x10000000, RAM}, {0xfffffffffff00000, 0x200000, RAM},
		{0x40000000, 0xffffffffffffffff, RES}, {0x300000, 0x1000, 9}};
	const char *dir = getenv("MEMMAP_SEED_DIR");

	if (!dir)
		return;
	write_seed(dir, "qemu", qemu, sizeof qemu / sizeof qemu[0], 0, 0);
	write_seed(dir, "messy", messy, sizeof messy / sizeof messy[0], 0, 0);
	write_seed(dir, "small-limit-and-cap", messy, sizeof messy / sizeof messy[0],
		   0x30000000, 3);
}
