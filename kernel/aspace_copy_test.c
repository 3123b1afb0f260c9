/*
 * In-kernel tests of copying an address space (aspace_copy, kernel/aspace.c):
 * what fork needs. Every page comes across with its bytes and protection,
 * the two spaces share nothing afterwards, the copy's code runs, and a copy
 * the quota cannot hold keeps nothing.
 */
#include <lemmings/aspace.h>

#include "arch/layout.h"
#include "arch/uvm.h"
#include "kernel/aspace.h"
#include "kernel/pmm.h"
#include "lib/test.h"

#define DATA 0x10000ull     /* two pages, read and write */
#define RODATA 0x30000ull   /* one page, read only */
#define CODE 0x400000ull    /* one page, read and execute */
#define FAR 0x7fff00000000ull /* a page under other tables */

static const struct aspace_door *door(void)
{
	return aspace_door_kernel();
}

/* A space with each kind of page, and words that tell them apart. */
static aspace_space sample(void)
{
	static const uint8_t code[] = {
		0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x01, 0x00, /* mov 0x10008, %rax */
		0x0f, 0x05,                                     /* syscall */
	};
	uint64_t a = 0xa1, b = 0xb2, c = 0xc3, d = 0xd4;
	aspace_create_result r = aspace_create(door(), 64);
	aspace_space s = aspace_create_result_is_space(r) ? r : 0;

	if (!s || aspace_map(door(), s, DATA, 2, 1) || aspace_write(s, DATA + 8, &a, 8) ||
	    aspace_write(s, DATA + PAGE_SIZE, &b, 8) || aspace_map(door(), s, RODATA, 1, 1) ||
	    aspace_write(s, RODATA, &c, 8) || aspace_protect(door(), s, RODATA, 1, 0) ||
	    aspace_map(door(), s, CODE, 1, 1) || aspace_write(s, CODE, code, sizeof code) ||
	    aspace_protect(door(), s, CODE, 1, 2) || aspace_map(door(), s, FAR, 1, 1) ||
	    aspace_write(s, FAR, &d, 8))
		return 0;
	return s;
}

TEST(aspace_copy, every_page_with_its_bytes_and_protection)
{
	uint64_t before = pmm_free_pages(), v = 0, other = 0x99;
	unsigned live = aspace_count();
	aspace_space s = sample(), t = 0;
	struct aspace_info a, b;
	struct uvm_regs r = {.rip = CODE};

	ASSERT(s != 0);
	ASSERT_EQ(aspace_copy(s, 64, &t), LM_OK);
	EXPECT(t != s);
	ASSERT_EQ(aspace_probe_read(t, DATA + 8, &v), LM_OK);
	EXPECT_EQ(v, 0xa1);
	ASSERT_EQ(aspace_probe_read(t, DATA + PAGE_SIZE, &v), LM_OK);
	EXPECT_EQ(v, 0xb2);
	ASSERT_EQ(aspace_probe_read(t, RODATA, &v), LM_OK);
	EXPECT_EQ(v, 0xc3);
	ASSERT_EQ(aspace_probe_read(t, FAR, &v), LM_OK);
	EXPECT_EQ(v, 0xd4);
	EXPECT_EQ(aspace_write(t, RODATA, &other, 8), LM_ERR_FAULT); /* still read only */
	EXPECT_EQ(aspace_write(t, CODE, &other, 8), LM_ERR_FAULT);
	ASSERT_EQ(aspace_query(door(), s, &a), LM_OK);
	ASSERT_EQ(aspace_query(door(), t, &b), LM_OK);
	EXPECT_EQ(a.pages, b.pages);
	/* Its own pages: a write to the copy leaves the original alone. */
	ASSERT_EQ(aspace_write(t, DATA + 8, &other, 8), LM_OK);
	ASSERT_EQ(aspace_probe_read(s, DATA + 8, &v), LM_OK);
	EXPECT_EQ(v, 0xa1);
	/* The copy's code runs, reading the copy's data; still executable. */
	ASSERT_EQ(aspace_run(t, &r, NULL), LM_OK);
	EXPECT_EQ(r.trap, UVM_TRAP_SYSCALL);
	EXPECT_EQ(r.rax, 0x99);
	EXPECT_EQ(aspace_destroy(door(), t), LM_OK);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(aspace_count(), live);
	EXPECT_EQ(pmm_free_pages(), before);
}

TEST(aspace_copy, over_quota_keeps_nothing)
{
	uint64_t before = pmm_free_pages(), v = 0;
	unsigned live = aspace_count();
	aspace_space s = sample(), t = 0;
	struct aspace_info a;

	ASSERT(s != 0);
	ASSERT_EQ(aspace_query(door(), s, &a), LM_OK);
	EXPECT_EQ(aspace_copy(s, a.pages - 1, &t), LM_ERR_NOMEM);
	EXPECT_EQ(t, 0);
	EXPECT_EQ(aspace_count(), live + 1);
	EXPECT_EQ(aspace_copy(s, a.pages, &t), LM_OK); /* exactly enough */
	EXPECT_EQ(aspace_destroy(door(), t), LM_OK);
	ASSERT_EQ(aspace_probe_read(s, DATA + 8, &v), LM_OK); /* the original unharmed */
	EXPECT_EQ(v, 0xa1);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(aspace_copy(s, 64, &t), LM_ERR_NOENT); /* a destroyed space */
	EXPECT_EQ(aspace_count(), live);
	EXPECT_EQ(pmm_free_pages(), before);
}

/* The FS base a thread's registers carry is the one its code sees (Linux
 * programs keep thread-local storage there). */
TEST(aspace_copy, fs_base_reaches_ring3)
{
	static const uint8_t code[] = {
		0x64, 0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x00, 0x00, /* mov %fs:8, %rax */
		0x0f, 0x05,                                           /* syscall */
	};
	uint64_t word = 0x7e57f5;
	aspace_create_result c = aspace_create(door(), 16);
	aspace_space s = aspace_create_result_is_space(c) ? c : 0;
	struct uvm_regs r = {.rip = CODE, .fs_base = DATA + PAGE_SIZE};

	ASSERT(s != 0);
	ASSERT_EQ(aspace_map(door(), s, DATA, 2, 1), LM_OK);
	ASSERT_EQ(aspace_write(s, DATA + PAGE_SIZE + 8, &word, 8), LM_OK);
	ASSERT_EQ(aspace_map(door(), s, CODE, 1, 1), LM_OK);
	ASSERT_EQ(aspace_write(s, CODE, code, sizeof code), LM_OK);
	ASSERT_EQ(aspace_protect(door(), s, CODE, 1, 2), LM_OK);
	ASSERT_EQ(aspace_run(s, &r, NULL), LM_OK);
	EXPECT_EQ(r.trap, UVM_TRAP_SYSCALL);
	EXPECT_EQ(r.rax, 0x7e57f5);
	EXPECT_EQ(r.fs_base, DATA + PAGE_SIZE);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
}
