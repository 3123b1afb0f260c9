/*
 * In-kernel tests of address spaces (kernel/aspace.c, arch/x86_64/uvm.c):
 * what the MMU sees through a space's own tables (read with the tables
 * loaded, PCIDs and all), that the kernel half holds only the entry pages,
 * quotas, every refusal, ELF images, and that nothing leaks.
 */
#include <lemmings/aspace.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/trap.h"
#include "arch/uvm.h"
#include "arch/vm.h"
#include "core/hart.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "lib/test.h"
#include "services/archive.h"

#define VA 0x10000ull
#define LEAK_ROUNDS 100000

extern char __entry_text_start[];

static const struct aspace_door *door(void)
{
	return aspace_door_kernel();
}

static aspace_space make(uint64_t quota)
{
	aspace_create_result r = aspace_create(door(), quota);

	return aspace_create_result_is_space(r) ? r : 0;
}

TEST(aspace, door_is_published)
{
	EXPECT(aspace_door_find() == door());
}

TEST(aspace, the_mmu_sees_what_was_written)
{
	uint64_t before = pmm_free_pages(), value = 0, word = 0x5eed0123456789abull;
	aspace_space s = make(64);
	struct aspace_info info;

	ASSERT(s != 0);
	ASSERT_EQ(aspace_map(door(), s, VA, 2, 1), LM_OK);
	ASSERT_EQ(aspace_write(s, VA + PAGE_SIZE + 8, &word, sizeof word), LM_OK);
	ASSERT_EQ(aspace_probe_read(s, VA + PAGE_SIZE + 8, &value), LM_OK);
	EXPECT_EQ(value, word);
	ASSERT_EQ(aspace_probe_read(s, VA, &value), LM_OK);
	EXPECT_EQ(value, 0); /* zero-filled */
	ASSERT_EQ(aspace_query(door(), s, &info), LM_OK);
	EXPECT_EQ(info.quota, 64);
	EXPECT_EQ(info.pages, 1 + 3 + 2); /* top level, three tables, two pages */
	if (uvm_pcid_supported())
		EXPECT(info.pcid >= 1 && info.pcid < UVM_PCID_COUNT);
	else
		EXPECT_EQ(info.pcid, 0);
	test_diag("PCIDs: %s", uvm_pcid_supported() ? "yes" : "no");
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(pmm_free_pages(), before);
}

/* The entry pages read the same through the space's tables as through the
 * kernel's, and of the kernel half nothing else is mapped. */
TEST(aspace, kernel_half_holds_only_the_entry_region)
{
	struct uvm u;
	const uint64_t *top;
	uint64_t value = 0;
	unsigned entry_slot = (ENTRY_BASE >> 39) & 511;

	ASSERT_EQ(uvm_create(&u), LM_OK);
	top = phys_to_virt(u.pml4);
	for (unsigned i = 0; i < 512; i++)
		if (i == entry_slot)
			EXPECT(top[i] & 1);
		else
			EXPECT_EQ(top[i], 0);
	EXPECT(!uvm_lookup(&u, DIRECT_MAP_BASE, NULL, NULL));
	EXPECT(!uvm_lookup(&u, KERNEL_VIRT, NULL, NULL));
	bool irq = irq_save();
	value = uvm_probe_read(uvm_cr3(&u, 1, false), ENTRY_BASE);
	irq_restore(irq);
	EXPECT_EQ(value, *(const uint64_t *)__entry_text_start);
	uvm_destroy(&u, NULL, NULL);
}

/* Unmapping a page and mapping another there: the next read through the
 * tables sees the new page, never a translation the TLB kept under the
 * space's PCID. The same after protect, and for a second space sharing the
 * PCID. */
TEST(aspace, no_stale_translation_after_unmap_or_reuse)
{
	uint64_t one = 1, two = 2, value = 0;
	aspace_space s = make(64), t;

	ASSERT(s != 0);
	ASSERT_EQ(aspace_map(door(), s, VA, 1, 1), LM_OK);
	ASSERT_EQ(aspace_write(s, VA, &one, 8), LM_OK);
	ASSERT_EQ(aspace_probe_read(s, VA, &value), LM_OK);
	EXPECT_EQ(value, 1);
	ASSERT_EQ(aspace_probe_read(s, VA, &value), LM_OK); /* kept translations */
	EXPECT_EQ(value, 1);
	ASSERT_EQ(aspace_unmap(door(), s, VA, 1), LM_OK);
	ASSERT_EQ(aspace_map(door(), s, VA, 1, 1), LM_OK);
	ASSERT_EQ(aspace_write(s, VA, &two, 8), LM_OK);
	ASSERT_EQ(aspace_probe_read(s, VA, &value), LM_OK);
	EXPECT_EQ(value, 2);
	ASSERT_EQ(aspace_protect(door(), s, VA, 1, 0), LM_OK);
	EXPECT_EQ(aspace_write(s, VA, &one, 8), LM_ERR_FAULT); /* read-only now */
	ASSERT_EQ(aspace_probe_read(s, VA, &value), LM_OK);
	EXPECT_EQ(value, 2);
	/* Another space, the same PCID when the CPU has them (uids in a row
	 * step through the PCIDs; sixty-two more come back to this one). */
	for (unsigned i = 0; i < UVM_PCID_COUNT - 2; i++) {
		aspace_space x = make(1);

		ASSERT(x != 0);
		ASSERT_EQ(aspace_destroy(door(), x), LM_OK);
	}
	t = make(64);
	ASSERT(t != 0);
	struct aspace_info a, b;
	ASSERT_EQ(aspace_query(door(), s, &a), LM_OK);
	ASSERT_EQ(aspace_query(door(), t, &b), LM_OK);
	EXPECT_EQ(a.pcid, b.pcid);
	ASSERT_EQ(aspace_map(door(), t, VA, 1, 1), LM_OK);
	ASSERT_EQ(aspace_write(t, VA, &one, 8), LM_OK);
	ASSERT_EQ(aspace_probe_read(t, VA, &value), LM_OK);
	EXPECT_EQ(value, 1);
	ASSERT_EQ(aspace_probe_read(s, VA, &value), LM_OK);
	EXPECT_EQ(value, 2);
	EXPECT_EQ(aspace_destroy(door(), t), LM_OK);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
}

TEST(aspace, bad_arguments_are_refused)
{
	uint64_t value;
	aspace_space s = make(64);

	ASSERT(s != 0);
	EXPECT_EQ(aspace_map(door(), s, 0, 1, 0), LM_ERR_RANGE);       /* page zero */
	EXPECT_EQ(aspace_map(door(), s, VA + 1, 1, 0), LM_ERR_RANGE);  /* unaligned */
	EXPECT_EQ(aspace_map(door(), s, USER_END, 1, 0), LM_ERR_RANGE);
	EXPECT_EQ(aspace_map(door(), s, KERNEL_VIRT, 1, 0), LM_ERR_RANGE);
	EXPECT_EQ(aspace_map(door(), s, USER_END - PAGE_SIZE, 2, 0), LM_ERR_RANGE);
	EXPECT_EQ(aspace_map(door(), s, VA, 0, 0), LM_ERR_RANGE);
	EXPECT_EQ(aspace_map(door(), s, VA, 1, 3), LM_ERR_INVAL);      /* write + execute */
	EXPECT_EQ(aspace_protect(door(), s, VA, 1, 0), LM_ERR_NOENT);
	EXPECT_EQ(aspace_unmap(door(), s, DIRECT_MAP_BASE, 1), LM_ERR_RANGE);
	ASSERT_EQ(aspace_map(door(), s, VA, 1, 2), LM_OK);
	EXPECT_EQ(aspace_map(door(), s, VA - PAGE_SIZE, 2, 0), LM_ERR_EXIST);
	EXPECT(aspace_probe_read(s, VA - PAGE_SIZE, &value) == LM_ERR_FAULT); /* all or none */
	EXPECT_EQ(aspace_protect(door(), s, VA, 2, 0), LM_ERR_NOENT);
	EXPECT_EQ(aspace_write(s, VA, &value, 8), LM_ERR_FAULT);       /* executable, not writable */
	EXPECT_EQ(aspace_probe_read(s, KERNEL_VIRT, &value), LM_ERR_FAULT);
	EXPECT_EQ(aspace_create(door(), 0), LM_ERR_INVAL);
	EXPECT_EQ(aspace_query(door(), s, (struct aspace_info *)0x10), LM_ERR_INVAL);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	/* A destroyed space's handle is stale, and nothing made up is one. */
	EXPECT_EQ(aspace_destroy(door(), s), LM_ERR_NOENT);
	EXPECT_EQ(aspace_map(door(), s, VA, 1, 0), LM_ERR_NOENT);
	EXPECT_EQ(aspace_destroy(door(), 0x1000), LM_ERR_NOENT);
	EXPECT_EQ(aspace_destroy(door(), ~0ull), LM_ERR_NOENT);
	EXPECT_EQ(aspace_destroy(door(), s + 1), LM_ERR_NOENT);
}

TEST(aspace, quota_bounds_pages_and_tables)
{
	uint64_t before = pmm_free_pages();
	aspace_space s = make(6); /* top level, three tables, two pages */
	struct aspace_info info;

	ASSERT(s != 0);
	EXPECT_EQ(aspace_map(door(), s, VA, 3, 1), LM_ERR_NOMEM);
	ASSERT_EQ(aspace_query(door(), s, &info), LM_OK);
	EXPECT_EQ(info.pages, 1 + 3); /* the pages went back; the tables stay */
	EXPECT_EQ(aspace_map(door(), s, VA, 2, 1), LM_OK);
	EXPECT_EQ(aspace_map(door(), s, VA + 2 * PAGE_SIZE, 1, 1), LM_ERR_NOMEM);
	ASSERT_EQ(aspace_query(door(), s, &info), LM_OK);
	EXPECT_EQ(info.pages, 6);
	EXPECT_EQ(aspace_unmap(door(), s, VA, 1), LM_OK);
	EXPECT_EQ(aspace_map(door(), s, VA + 2 * PAGE_SIZE, 1, 1), LM_OK);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(pmm_free_pages(), before);
}

TEST(aspace, table_of_spaces_fills_and_empties)
{
	static aspace_space all[ASPACE_MAX + 1];
	unsigned n = 0, live = aspace_count();
	aspace_create_result r;

	while (n <= ASPACE_MAX && aspace_create_result_is_space(r = aspace_create(door(), 1)))
		all[n++] = r;
	EXPECT_EQ(n, ASPACE_MAX - live);
	EXPECT_EQ(r, LM_ERR_FULL);
	while (n)
		EXPECT_EQ(aspace_destroy(door(), all[--n]), LM_OK);
	EXPECT_EQ(aspace_count(), live);
}

TEST(aspace, elf_image_is_placed_relocated_and_protected)
{
	uint64_t before = pmm_free_pages(), value = 0;
	struct archive_entry e;
	struct aspace_image img;
	aspace_space s = make(1024);
	uint8_t junk[64] = {0x7f, 'E', 'L', 'F'};

	ASSERT(s != 0);
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/hello", &e), LM_OK);
	ASSERT_EQ(aspace_load(door(), s, e.data, e.size, &img), LM_OK);
	EXPECT(img.base >= USER_BASE && img.base + img.size <= USER_END);
	EXPECT(img.entry >= img.base && img.entry < img.base + img.size);
	/* The first loadable segment (text: read and execute) begins with
	 * its bytes of the file. */
	uint64_t off = 0, vaddr = 0, phoff = 0, expect = 0;
	memcpy(&phoff, e.data + 0x20, 8);
	for (unsigned i = 0; i < 16; i++) {
		const uint8_t *ph = e.data + phoff + i * 56;
		if (*(const uint32_t *)ph == 1) { /* PT_LOAD */
			memcpy(&off, ph + 8, 8);
			memcpy(&vaddr, ph + 16, 8);
			break;
		}
	}
	memcpy(&expect, e.data + off, 8);
	ASSERT_EQ(aspace_probe_read(s, img.base + (vaddr & (PAGE_SIZE - 1)), &value), LM_OK);
	EXPECT_EQ(value, expect);
	EXPECT_EQ(aspace_write(s, img.base, &value, 8), LM_ERR_FAULT);
	EXPECT_EQ(aspace_load(door(), s, junk, sizeof junk, &img), LM_ERR_FORMAT);
	EXPECT_EQ(aspace_load(door(), s, (const uint8_t *)0x1000, 64, &img), LM_ERR_INVAL);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(pmm_free_pages(), before);
	/* Too small a quota: refused, nothing kept. */
	s = make(4);
	ASSERT(s != 0);
	EXPECT_EQ(aspace_load(door(), s, e.data, e.size, &img), LM_ERR_NOMEM);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(pmm_free_pages(), before);
}

/* The acceptance: 100,000 spaces created and destroyed leak no
 * page; a thousand more with pages and tables in them neither. */
TEST(aspace, create_destroy_100000_leaks_nothing)
{
	uint64_t before = pmm_free_pages();
	unsigned live = aspace_count();

	for (int i = 0; i < LEAK_ROUNDS; i++) {
		aspace_space s = make(1);

		ASSERT(s != 0);
		ASSERT_EQ(aspace_destroy(door(), s), LM_OK);
	}
	EXPECT_EQ(pmm_free_pages(), before);
	for (int i = 0; i < 1000; i++) {
		aspace_space s = make(64);

		ASSERT(s != 0);
		ASSERT_EQ(aspace_map(door(), s, VA + (uint64_t)i * (1ull << 30), 8, 1), LM_OK);
		ASSERT_EQ(aspace_map(door(), s, 0x7fff0000000ull, 1, 0), LM_OK);
		ASSERT_EQ(aspace_destroy(door(), s), LM_OK);
	}
	EXPECT_EQ(pmm_free_pages(), before);
	EXPECT_EQ(aspace_count(), live);
}

/* Ring 3 through the entry pages: the code at 0x400000 (read+execute) runs
 * with its stack at 0x800000 (read+write) in the space's tables, at
 * privilege 3; `syscall` brings it back with its registers, and so does
 * each exception, with its vector. */
#define CODE 0x400000ull
#define STACK_TOP 0x801000ull

static aspace_space user_space(const uint8_t *code, unsigned len)
{
	aspace_space s = make(16);

	if (!s || aspace_map(door(), s, CODE, 1, 1) || aspace_write(s, CODE, code, len) ||
	    aspace_protect(door(), s, CODE, 1, 2) || aspace_map(door(), s, STACK_TOP - PAGE_SIZE, 1, 1))
		return 0;
	return s;
}

static struct uvm_regs start_regs(void)
{
	return (struct uvm_regs){.rip = CODE, .rsp = STACK_TOP};
}

TEST(aspace, ring3_runs_and_syscall_returns)
{
	static const uint8_t code[] = {
		0x48, 0x01, 0xf8, /* add %rdi, %rax */
		0x50,             /* push %rax */
		0x5b,             /* pop %rbx */
		0x8c, 0xca,       /* mov %cs, %edx */
		0x8c, 0xd6,       /* mov %ss, %esi */
		0x0f, 0x05,       /* syscall */
		0xeb, 0xfe,       /* never reached: jmp . */
	};
	uint64_t before = pmm_free_pages(), pushed = 0;
	aspace_space s = user_space(code, sizeof code);
	struct uvm_regs r = start_regs();

	ASSERT(s != 0);
	r.rax = 40;
	r.rdi = 2;
	r.r12 = 7;
	r.rflags = 0x3000; /* IOPL 3 asked for: not given */
	ASSERT_EQ(aspace_run(s, &r, NULL), LM_OK);
	EXPECT_EQ(r.trap, UVM_TRAP_SYSCALL);
	EXPECT_EQ(r.rax, 42);
	EXPECT_EQ(r.rbx, 42);
	EXPECT_EQ(r.rdx, 0x23); /* user code selector: privilege 3 */
	EXPECT_EQ(r.rsi, 0x1b);
	EXPECT_EQ(r.r12, 7);
	EXPECT_EQ(r.rip, CODE + 11);
	EXPECT_EQ(r.rcx, CODE + 11); /* syscall's own */
	EXPECT_EQ(r.rsp, STACK_TOP);
	EXPECT_EQ(r.rflags & 0x3200, 0x200); /* interrupts on, IOPL 0 */
	ASSERT_EQ(aspace_probe_read(s, STACK_TOP - 8, &pushed), LM_OK);
	EXPECT_EQ(pushed, 42); /* the push landed in the space's stack page */
	r = start_regs();
	r.rax = r.rdi = 1;
	uint64_t switches = aspace_switches();
	ASSERT_EQ(aspace_run(s, &r, NULL), LM_OK);
	EXPECT_EQ(r.rax, 2);
	EXPECT_EQ(aspace_switches(), switches); /* the same space: no barrier */
	aspace_space other = user_space(code, sizeof code);
	ASSERT(other != 0);
	r = start_regs();
	ASSERT_EQ(aspace_run(other, &r, NULL), LM_OK);
	EXPECT_EQ(aspace_switches(), switches + 1); /* another space: a barrier */
	EXPECT_EQ(aspace_destroy(door(), other), LM_OK);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(aspace_run(s, &r, NULL), LM_ERR_NOENT);
	EXPECT_EQ(pmm_free_pages(), before);
}

/* An executable at fixed addresses (ET_EXEC, as `-no-pie -static` links
 * one at 0x400000), made here: text at CODE reads the data word at
 * FIXED_DATA by its absolute address, stores it in the bss at FIXED_BSS,
 * and comes back by syscall. link is where the text is linked. */
#define FIXED_DATA (CODE + 0x1000)
#define FIXED_BSS (CODE + 0x1800)
#define FIXED_WORD 0x5eedf1ced0123ull

static void le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void fixed_image(uint8_t f[0x2008], uint64_t link)
{
	static const uint8_t code[] = {
		0x48, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x40, 0x00, /* mov 0x401000, %rax */
		0x48, 0x89, 0x04, 0x25, 0x00, 0x18, 0x40, 0x00, /* mov %rax, 0x401800 */
		0x0f, 0x05,                                     /* syscall */
		0xeb, 0xfe,                                     /* jmp . */
	};
	/* PT_LOAD: type, flags, offset, vaddr, filesz, memsz */
	static const uint64_t ph[2][6] = {{1, 5, 0x1000, 0, sizeof code, sizeof code},
					  {1, 6, 0x2000, 0x1000, 8, 0x808}};

	memset(f, 0, 0x2008);
	memcpy(f, "\177ELF\2\1\1", 7);
	le(f + 16, 2, 2);     /* e_type ET_EXEC */
	le(f + 18, 62, 2);    /* e_machine EM_X86_64 */
	le(f + 20, 1, 4);     /* e_version */
	le(f + 24, link, 8);  /* e_entry */
	le(f + 32, 64, 8);    /* e_phoff */
	le(f + 52, 64, 2);    /* e_ehsize */
	le(f + 54, 56, 2);    /* e_phentsize */
	le(f + 56, 2, 2);     /* e_phnum */
	for (int i = 0; i < 2; i++) {
		uint8_t *h = f + 64 + 56 * i;
		le(h, ph[i][0], 4);
		le(h + 4, ph[i][1], 4);
		le(h + 8, ph[i][2], 8);
		le(h + 16, link + ph[i][3], 8);
		le(h + 24, link + ph[i][3], 8);
		le(h + 32, ph[i][4], 8);
		le(h + 40, ph[i][5], 8);
		le(h + 48, 0x1000, 8);
	}
	memcpy(f + 0x1000, code, sizeof code);
	le(f + 0x2000, FIXED_WORD, 8);
}

TEST(aspace, fixed_address_executable_runs_at_its_addresses)
{
	static uint8_t f[0x2008];
	uint64_t before = pmm_free_pages(), value = 0;
	struct aspace_image img, pie;
	struct aspace_info info, again;
	struct archive_entry e;
	struct uvm_regs r = start_regs();
	aspace_space s = make(64);

	ASSERT(s != 0);
	fixed_image(f, CODE);
	ASSERT_EQ(aspace_load(door(), s, f, sizeof f, &img), LM_OK);
	EXPECT_EQ(img.base, CODE);
	EXPECT_EQ(img.size, 2 * PAGE_SIZE); /* text, then data with its bss */
	EXPECT_EQ(img.entry, CODE);
	EXPECT_EQ(aspace_write(s, CODE, &value, 8), LM_ERR_FAULT); /* text: read-only */
	ASSERT_EQ(aspace_map(door(), s, STACK_TOP - PAGE_SIZE, 1, 1), LM_OK);
	ASSERT_EQ(aspace_run(s, &r, NULL), LM_OK);
	EXPECT_EQ(r.trap, UVM_TRAP_SYSCALL);
	EXPECT_EQ(r.rax, FIXED_WORD); /* its data, read at its own address */
	ASSERT_EQ(aspace_probe_read(s, FIXED_BSS, &value), LM_OK);
	EXPECT_EQ(value, FIXED_WORD); /* its bss, written there */
	/* Again over itself: refused, nothing mapped or kept. */
	ASSERT_EQ(aspace_query(door(), s, &info), LM_OK);
	EXPECT_EQ(aspace_load(door(), s, f, sizeof f, &img), LM_ERR_EXIST);
	ASSERT_EQ(aspace_query(door(), s, &again), LM_OK);
	EXPECT_EQ(again.pages, info.pages);
	ASSERT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(pmm_free_pages(), before);
	/* A position-independent image loaded after it goes around it (the
	 * first free address was CODE). */
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/hello", &e), LM_OK);
	s = make(1024);
	ASSERT(s != 0);
	ASSERT_EQ(aspace_load(door(), s, f, sizeof f, &img), LM_OK);
	ASSERT_EQ(aspace_load(door(), s, e.data, e.size, &pie), LM_OK);
	EXPECT(pie.base >= CODE + img.size); /* past the fixed image, not over it */
	/* Linked at page zero: not in the lower half above it. Linked at the
	 * last page, its data past the lower half's end: malformed. */
	ASSERT_EQ(aspace_query(door(), s, &info), LM_OK);
	fixed_image(f, 0);
	EXPECT_EQ(aspace_load(door(), s, f, sizeof f, &img), LM_ERR_RANGE);
	fixed_image(f, USER_END - PAGE_SIZE);
	EXPECT_EQ(aspace_load(door(), s, f, sizeof f, &img), LM_ERR_FORMAT);
	ASSERT_EQ(aspace_query(door(), s, &again), LM_OK);
	EXPECT_EQ(again.pages, info.pages);
	EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	EXPECT_EQ(pmm_free_pages(), before);
}

/* Each bad thing ring 3 code can try ends in its exception, reported to
 * the caller with what the CPU said; the kernel goes on. */
struct bad {
	const char *what;
	uint8_t code[8];
	unsigned len;
	uint64_t rax, rip;       /* rip 0: CODE */
	uint64_t trap, error, cr2; /* cr2 ~0: not a page fault */
};

TEST(aspace, ring3_exceptions_come_back_with_their_cause)
{
	const bool nx = vm_nx_enabled();
	const struct bad bad[] = {
		{"read a kernel address", {0x48, 0x8b, 0x18}, 3, KERNEL_VIRT, 0,
		 VEC_PAGE_FAULT, 0x4, KERNEL_VIRT},
		{"read the direct map", {0x48, 0x8b, 0x18}, 3, DIRECT_MAP_BASE + 0x100000, 0,
		 VEC_PAGE_FAULT, 0x4, DIRECT_MAP_BASE + 0x100000},
		{"read the entry pages", {0x48, 0x8b, 0x18}, 3, ENTRY_BASE, 0,
		 VEC_PAGE_FAULT, 0x5, ENTRY_BASE}, /* present, but not for ring 3 */
		{"write its own code", {0x48, 0x89, 0x00}, 3, CODE, 0,
		 VEC_PAGE_FAULT, 0x7, CODE},
		{"execute its stack", {0x90}, 1, 0, STACK_TOP - PAGE_SIZE,
		 nx ? VEC_PAGE_FAULT : VEC_INVALID_OPCODE, nx ? 0x15 : ~0ull,
		 nx ? STACK_TOP - PAGE_SIZE : ~0ull}, /* without NX: zeros, then ud */
		{"ud2", {0x0f, 0x0b}, 2, 0, 0, VEC_INVALID_OPCODE, 0, ~0ull},
		{"divide by zero", {0xf7, 0xf1}, 2, 0, 0, VEC_DIVIDE, 0, ~0ull}, /* rcx is 0 */
		{"hlt", {0xf4}, 1, 0, 0, VEC_GP, 0, ~0ull},
		{"cli", {0xfa}, 1, 0, 0, VEC_GP, 0, ~0ull},
		{"int $0x80", {0xcd, 0x80}, 2, 0, 0, VEC_GP, ~0ull, ~0ull}, /* error: QEMU's own */
		{"out to a port", {0xe6, 0x80}, 2, 0, 0, VEC_GP, 0, ~0ull},
	};
	uint64_t before = pmm_free_pages();

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const struct bad *b = &bad[i];
		aspace_space s = user_space(b->code, b->len);
		struct uvm_regs r = start_regs();

		ASSERT(s != 0);
		r.rax = b->rax;
		if (b->rip)
			r.rip = b->rip;
		ASSERT_EQ(aspace_run(s, &r, NULL), LM_OK);
		if (r.trap != b->trap || (b->error != ~0ull && r.error != b->error) ||
		    (b->cr2 != ~0ull && r.cr2 != b->cr2) || r.rip != (b->rip ? b->rip : CODE)) {
			test_diag("%s: trap %llu error 0x%llx cr2 0x%llx rip 0x%llx", b->what,
				  (unsigned long long)r.trap, (unsigned long long)r.error,
				  (unsigned long long)r.cr2, (unsigned long long)r.rip);
			test_failed = true;
		}
		EXPECT_EQ(aspace_destroy(door(), s), LM_OK);
	}
	EXPECT_EQ(pmm_free_pages(), before);
}

/* A loop in ring 3 keeps nobody from running: the timer interrupts it, a
 * thread on the same hart destroys its space, and the loop's runner gets
 * LM_ERR_NOENT at its next interrupt. */
static aspace_space loop_space;
static volatile enum lm_err loop_result = LM_ERR_BUSY;

static void loop_runner(void *arg)
{
	struct uvm_regs r = start_regs();

	loop_result = aspace_run(loop_space, &r, NULL);
}

static void loop_killer(void *arg)
{
	timer_sleep_ns(20000000);
	aspace_destroy(door(), loop_space);
}

TEST(aspace, ring3_loop_is_preempted_and_killed)
{
	static const uint8_t code[] = {0xeb, 0xfe}; /* jmp . */
	unsigned live = aspace_count();
	int hart = (int)this_hart()->id;
	struct thread_opts runner = {.entry = loop_runner, .priority = PRIO_REGULAR,
				     .name = "ring3-loop", .hart = hart,
				     .notify = thread_current(), .notify_bits = 1};
	struct thread_opts killer = {.entry = loop_killer, .priority = PRIO_REALTIME,
				     .name = "ring3-killer", .hart = hart,
				     .notify = thread_current(), .notify_bits = 2};

	loop_space = user_space(code, sizeof code);
	ASSERT(loop_space != 0);
	ASSERT_EQ(thread_spawn(&runner, NULL), LM_OK);
	ASSERT_EQ(thread_spawn(&killer, NULL), LM_OK);
	thread_wait(1);
	thread_wait(2);
	EXPECT_EQ(loop_result, LM_ERR_NOENT);
	EXPECT_EQ(aspace_count(), live); /* the space is gone (the threads'
					  * stacks come back later) */
}
