/*
 * Host tests of the ELF loader. A small program is written here in memory
 * (three PT_LOAD segments, PT_DYNAMIC, a RELA table), loaded at two bases
 * with an elf_env backed by mmap/mprotect that records its calls, then
 * broken one field at a time. The real build/programs/hello is loaded too
 * when it has been built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/elf.h"
#include "lib/test.h"

/* The synthetic program's layout. */
#define TEXT_OFF 0x1000   /* vaddr 0 */
#define RO_OFF 0x2000     /* vaddr 0x1000: "hello", "world", the RELA table */
#define DATA_OFF 0x3000   /* vaddr 0x2000: two pointers, then PT_DYNAMIC; bss */
#define RELA_VADDR 0x1100
#define DYN_VADDR 0x2100
#define DATA_MEMSZ 0x3000
#define FILE_SIZE 0x3200

enum { P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40,
       P_ALIGN = 48 };

struct img {
	uint8_t b[FILE_SIZE];
	size_t size;
};

static void put(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void ph_set(struct img *m, int i, int field, uint64_t v)
{
	int bytes = field == P_TYPE || field == P_FLAGS ? 4 : 8;
	put(m->b + 64 + 56 * i + field, v, bytes);
}

static void phdr(struct img *m, int i, uint32_t type, uint32_t flags, uint64_t off,
		 uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	ph_set(m, i, P_TYPE, type);
	ph_set(m, i, P_FLAGS, flags);
	ph_set(m, i, P_OFFSET, off);
	ph_set(m, i, P_VADDR, vaddr);
	put(m->b + 64 + 56 * i + 24, vaddr, 8); /* p_paddr */
	ph_set(m, i, P_FILESZ, filesz);
	ph_set(m, i, P_MEMSZ, memsz);
	ph_set(m, i, P_ALIGN, align);
}

static void rela(struct img *m, int i, uint64_t where, uint64_t info, uint64_t addend)
{
	uint8_t *r = m->b + RO_OFF + 0x100 + 24 * i;
	put(r, where, 8);
	put(r + 8, info, 8);
	put(r + 16, addend, 8);
}

static void dyn(struct img *m, int i, uint64_t tag, uint64_t val)
{
	put(m->b + DATA_OFF + 0x100 + 16 * i, tag, 8);
	put(m->b + DATA_OFF + 0x108 + 16 * i, val, 8);
}

static void ehdr_set(struct img *m, int off, uint64_t v, int bytes)
{
	put(m->b + off, v, bytes);
}

static void build(struct img *m)
{
	/* mov rax, [rip + 0x1ff9] (the pointer at 0x2000); ret */
	static const uint8_t code[] = {0x48, 0x8b, 0x05, 0xf9, 0x1f, 0x00, 0x00, 0xc3};

	memset(m, 0, sizeof *m);
	m->size = FILE_SIZE;
	memcpy(m->b, "\177ELF\2\1\1", 7);
	ehdr_set(m, 16, 3, 2);     /* e_type ET_DYN */
	ehdr_set(m, 18, 62, 2);    /* e_machine EM_X86_64 */
	ehdr_set(m, 20, 1, 4);     /* e_version */
	ehdr_set(m, 24, 0, 8);     /* e_entry */
	ehdr_set(m, 32, 64, 8);    /* e_phoff */
	ehdr_set(m, 52, 64, 2);    /* e_ehsize */
	ehdr_set(m, 54, 56, 2);    /* e_phentsize */
	ehdr_set(m, 56, 4, 2);     /* e_phnum */
	phdr(m, 0, 1, 5, TEXT_OFF, 0, sizeof code, sizeof code, 0x1000);
	phdr(m, 1, 1, 4, RO_OFF, 0x1000, 0x200, 0x200, 0x1000);
	phdr(m, 2, 1, 6, DATA_OFF, 0x2000, 0x200, DATA_MEMSZ, 0x1000);
	phdr(m, 3, 2, 6, DATA_OFF + 0x100, DYN_VADDR, 0x60, 0x60, 8);
	memcpy(m->b + TEXT_OFF, code, sizeof code);
	memcpy(m->b + RO_OFF, "hello", 6);
	memcpy(m->b + RO_OFF + 8, "world", 6);
	rela(m, 0, 0x2000, 8, 0x1000);
	rela(m, 1, 0x2008, 8, 0x1008);
	rela(m, 2, 0, 0, 0); /* R_X86_64_NONE */
	dyn(m, 0, 7, RELA_VADDR);
	dyn(m, 1, 8, 3 * 24);
	dyn(m, 2, 9, 24);
	dyn(m, 3, 21, 0); /* DT_DEBUG, a slot for the tests to change */
	dyn(m, 4, 0, 0);
	dyn(m, 5, 0, 0);
}

/* An elf_env on mmap that records what the loader asked for. */
struct host_env {
	int reserves, releases;
	uint64_t base, size;           /* the last reservation */
	uint64_t released_base, released_size;
	enum lm_err reserve_error;
	int protect_fails_at;          /* 1-based call number, 0 never */
	int protects;
	struct elf_segment calls[16];
};

static enum lm_err host_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct host_env *h = ctx;
	void *p;

	if (h->reserve_error)
		return h->reserve_error;
	EXPECT_EQ(size % 4096, 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return LM_ERR_NOMEM;
	h->reserves++;
	h->base = *base = (uint64_t)(uintptr_t)p;
	h->size = size;
	return LM_OK;
}

static enum lm_err host_protect(void *ctx, uint64_t addr, uint64_t len, unsigned prot)
{
	struct host_env *h = ctx;
	int n = h->protects++;

	EXPECT(addr >= h->base && len <= h->size && addr - h->base <= h->size - len);
	EXPECT_EQ(addr % 4096, 0);
	EXPECT_EQ(len % 4096, 0);
	if (n < 16)
		h->calls[n] = (struct elf_segment){addr, len, prot};
	if (h->protect_fails_at == n + 1)
		return LM_ERR_FAULT;
	EXPECT_EQ(mprotect((void *)(uintptr_t)addr, len,
			   (prot & ELF_PROT_READ ? PROT_READ : 0) |
				   (prot & ELF_PROT_WRITE ? PROT_WRITE : 0) |
				   (prot & ELF_PROT_EXEC ? PROT_EXEC : 0)),
		  0);
	return LM_OK;
}

static void host_release(void *ctx, uint64_t base, uint64_t size)
{
	struct host_env *h = ctx;

	h->releases++;
	h->released_base = base;
	h->released_size = size;
	munmap((void *)(uintptr_t)base, size);
}

static struct elf_env env_of(struct host_env *h)
{
	return (struct elf_env){h, host_reserve, host_protect, host_release, NULL, NULL};
}

static void unload(const struct elf_image *im)
{
	munmap((void *)(uintptr_t)im->base, im->size);
}

static uint64_t word_at(uint64_t addr)
{
	uint64_t v;
	memcpy(&v, (void *)(uintptr_t)addr, 8);
	return v;
}

TEST(elf, synthetic_program_at_two_bases)
{
	static struct img m;
	struct host_env h[2] = {{0}, {0}};
	struct elf_image im[2];
	char detail[160];

	build(&m);
	for (int i = 0; i < 2; i++) {
		struct elf_env env = env_of(&h[i]);
		ASSERT_EQ(elf_load(m.b, m.size, &env, &im[i], detail, sizeof detail), LM_OK);
		EXPECT_STREQ(detail, "");
	}
	EXPECT(im[0].base != im[1].base);
	for (int i = 0; i < 2; i++) {
		uint64_t base = im[i].base;

		EXPECT_EQ(h[i].reserves, 1);
		EXPECT_EQ(h[i].releases, 0);
		EXPECT_EQ(im[i].size, 0x5000);
		EXPECT_EQ(im[i].entry, base);
		ASSERT_EQ(im[i].segment_count, 3);
		/* The relocated pointers point into this copy. */
		EXPECT_EQ(word_at(base + 0x2000), base + 0x1000);
		EXPECT_EQ(word_at(base + 0x2008), base + 0x1008);
		EXPECT_STREQ((const char *)(uintptr_t)word_at(base + 0x2000), "hello");
		EXPECT_STREQ((const char *)(uintptr_t)word_at(base + 0x2008), "world");
		/* The file bytes are copied, the bss zeroed. */
		EXPECT(!memcmp((void *)(uintptr_t)base, m.b + TEXT_OFF, 8));
		EXPECT(!memcmp((void *)(uintptr_t)(base + 0x2100), m.b + DATA_OFF + 0x100, 0x60));
		EXPECT_EQ(word_at(base + 0x2200), 0);
		EXPECT_EQ(word_at(base + 0x4ff8), 0);
		/* One protect per segment, R+X, R, R+W. */
		ASSERT_EQ(h[i].protects, 3);
		EXPECT_EQ(h[i].calls[0].addr, base);
		EXPECT_EQ(h[i].calls[0].len, 0x1000);
		EXPECT_EQ(h[i].calls[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
		EXPECT_EQ(h[i].calls[1].addr, base + 0x1000);
		EXPECT_EQ(h[i].calls[1].len, 0x1000);
		EXPECT_EQ(h[i].calls[1].prot, ELF_PROT_READ);
		EXPECT_EQ(h[i].calls[2].addr, base + 0x2000);
		EXPECT_EQ(h[i].calls[2].len, 0x3000);
		EXPECT_EQ(h[i].calls[2].prot, ELF_PROT_READ | ELF_PROT_WRITE);
		for (int s = 0; s < 3; s++) {
			EXPECT_EQ(im[i].segments[s].addr, h[i].calls[s].addr);
			EXPECT_EQ(im[i].segments[s].len, h[i].calls[s].len);
			EXPECT_EQ(im[i].segments[s].prot, h[i].calls[s].prot);
		}
#if defined(__x86_64__)
		/* The code runs and reads its own relocated pointer. */
		EXPECT_EQ(((uint64_t(*)(void))(uintptr_t)im[i].entry)(), base + 0x1000);
#endif
	}
	unload(&im[0]);
	unload(&im[1]);
}

/* A reservation the loader cannot write itself (another address space's,
 * as the kernel's Address space door gives): every byte goes through
 * env->store, relocated for the reservation's addresses. */
struct shadow {
	uint8_t *mem;
	uint64_t base, size;
	int stores;
};

static enum lm_err shadow_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct shadow *s = ctx;

	s->mem = calloc(1, size);
	if (!s->mem)
		return LM_ERR_NOMEM;
	s->base = *base = 0x500000000000ull; /* not mapped in this process */
	s->size = size;
	return LM_OK;
}

static enum lm_err shadow_protect(void *ctx, uint64_t addr, uint64_t len, unsigned prot)
{
	struct shadow *s = ctx;

	EXPECT(addr >= s->base && addr + len <= s->base + s->size);
	return LM_OK;
}

static void shadow_release(void *ctx, uint64_t base, uint64_t size)
{
	struct shadow *s = ctx;

	free(s->mem);
	s->mem = NULL;
}

static void shadow_store(void *ctx, uint64_t addr, const void *src, uint64_t len)
{
	struct shadow *s = ctx;

	ASSERT(addr >= s->base && len <= s->size && addr - s->base <= s->size - len);
	memcpy(s->mem + (addr - s->base), src, len);
	s->stores++;
}

TEST(elf, store_writes_a_reservation_elsewhere)
{
	static struct img m;
	struct shadow s = {0};
	struct elf_env env = {&s, shadow_reserve, shadow_protect, shadow_release, shadow_store, NULL};
	struct elf_image im;
	uint64_t w;

	build(&m);
	ASSERT_EQ(elf_load(m.b, m.size, &env, &im, NULL, 0), LM_OK);
	EXPECT_EQ(im.base, s.base);
	EXPECT_EQ(s.stores, 3 + 2); /* three segments' bytes, two relocations */
	memcpy(&w, s.mem + 0x2000, 8);
	EXPECT_EQ(w, s.base + 0x1000);
	memcpy(&w, s.mem + 0x2008, 8);
	EXPECT_EQ(w, s.base + 0x1008);
	EXPECT(!memcmp(s.mem, m.b + TEXT_OFF, 8));
	EXPECT_EQ(s.mem[0x4ff8], 0);
	free(s.mem);
}

/* An executable at fixed addresses (ET_EXEC) goes exactly where its
 * segments say, through reserve_at, with relocations applied unbiased; a
 * refusal from reserve_at refuses the image, nothing kept. */
static enum lm_err shadow_reserve_at(void *ctx, uint64_t base, uint64_t size)
{
	struct shadow *s = ctx;

	if (base < 0x10000)
		return LM_ERR_RANGE;
	s->mem = calloc(1, size);
	if (!s->mem)
		return LM_ERR_NOMEM;
	s->base = base;
	s->size = size;
	return LM_OK;
}

TEST(elf, fixed_address_executable_goes_at_its_addresses)
{
	static struct img m;
	struct shadow s = {0};
	struct elf_env env = {&s, shadow_reserve, shadow_protect, shadow_release, shadow_store,
			      shadow_reserve_at};
	struct elf_image im;
	char detail[160];
	uint64_t w;

	build(&m);
	ehdr_set(&m, 16, 2, 2); /* ET_EXEC, linked at 0x400000 */
	ehdr_set(&m, 24, 0x400000, 8);
	for (int i = 0; i < 3; i++)
		ph_set(&m, i, P_VADDR, 0x400000 + 0x1000 * (uint64_t)i);
	ph_set(&m, 3, P_VADDR, 0x400000 + DYN_VADDR);
	dyn(&m, 0, 7, 0x400000 + RELA_VADDR);
	rela(&m, 0, 0x402000, 8, 0x401000);
	rela(&m, 1, 0x402008, 8, 0x401008);
	ASSERT_EQ(elf_load(m.b, m.size, &env, &im, detail, sizeof detail), LM_OK);
	EXPECT_EQ(im.base, 0x400000);
	EXPECT_EQ(im.entry, 0x400000);
	EXPECT_EQ(im.size, 0x5000);
	EXPECT_EQ(im.segments[2].addr, 0x402000);
	memcpy(&w, s.mem + 0x2000, 8);
	EXPECT_EQ(w, 0x401000); /* the addend itself: no bias */
	EXPECT(!memcmp(s.mem, m.b + TEXT_OFF, 8));
	free(s.mem);
	/* Linked at page zero: reserve_at refuses, the loader says where. */
	build(&m);
	ehdr_set(&m, 16, 2, 2);
	memset(&s, 0, sizeof s);
	EXPECT_EQ(elf_load(m.b, m.size, &env, &im, detail, sizeof detail), LM_ERR_RANGE);
	EXPECT(strstr(detail, "cannot reserve 0x0+0x5000 for the fixed-address (ET_EXEC) image"));
	EXPECT(s.mem == NULL && im.base == 0);
}

TEST(elf, real_program_at_two_bases)
{
	size_t size;
	uint8_t *file = test_read_file("build/programs/hello", &size);
	struct host_env h[2] = {{0}, {0}};
	struct elf_image im[2];
	char detail[160];
	uint64_t delta, relocated = 0;

	if (!file) {
		test_diag("skipped: build/programs/hello is not built (make build/programs/hello)");
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct elf_env env = env_of(&h[i]);
		ASSERT_EQ(elf_load(file, size, &env, &im[i], detail, sizeof detail), LM_OK);
	}
	ASSERT_EQ(im[0].size, im[1].size);
	ASSERT_EQ(im[0].segment_count, im[1].segment_count);
	EXPECT(im[0].base != im[1].base);
	delta = im[1].base - im[0].base;
	for (int i = 0; i < 2; i++) {
		int in_text = 0;
		EXPECT_EQ(h[i].protects, (int)im[i].segment_count);
		for (uint32_t s = 0; s < im[i].segment_count; s++) {
			const struct elf_segment *seg = &im[i].segments[s];
			EXPECT(!((seg->prot & ELF_PROT_WRITE) && (seg->prot & ELF_PROT_EXEC)));
			if ((seg->prot & ELF_PROT_EXEC) && im[i].entry >= seg->addr &&
			    im[i].entry < seg->addr + seg->len)
				in_text = 1;
		}
		EXPECT(in_text);
	}
	EXPECT_EQ(im[1].entry - im[0].entry, delta);
	/* Word for word, the copies are equal or differ by the bases' distance. */
	for (uint32_t s = 0; s < im[0].segment_count; s++) {
		const struct elf_segment *seg = &im[0].segments[s];
		for (uint64_t off = 0; off + 8 <= seg->len; off += 8) {
			uint64_t a = word_at(seg->addr + off), b = word_at(seg->addr + delta + off);
			if (a != b) {
				EXPECT_EQ(b - a, delta);
				EXPECT(a - im[0].base < im[0].size);
				relocated++;
			}
		}
	}
	EXPECT(relocated > 0);
	test_diag("hello: %u segments, 0x%llx bytes, %llu relocated words",
		  im[0].segment_count, (unsigned long long)im[0].size,
		  (unsigned long long)relocated);
	unload(&im[0]);
	unload(&im[1]);
	free(file);
}

/* Load m, expect err with what in the detail, and no memory touched. */
static void fails(const struct img *m, enum lm_err err, const char *what, int line)
{
	struct host_env h = {0};
	struct elf_env env = env_of(&h);
	struct elf_image im;
	char detail[200];
	enum lm_err got = elf_load(m->b, m->size, &env, &im, detail, sizeof detail);

	if (got != err || !strstr(detail, what))
		test_diag("line %d: got %s \"%s\", want %s \"%s\"", line, lm_err_str(got), detail,
			  lm_err_str(err), what);
	EXPECT_EQ(got, err);
	EXPECT(strstr(detail, what));
	EXPECT_EQ(h.reserves, 0);
	EXPECT_EQ(h.protects, 0);
	EXPECT_EQ(im.base, 0);
	EXPECT_EQ(im.segment_count, 0);
	if (got == LM_OK)
		unload(&im);
}

#define FAILS(m, err, what) fails(m, err, what, __LINE__)

TEST(elf, header_errors)
{
	static struct img m;

	build(&m);
	m.size = 63;
	FAILS(&m, LM_ERR_FORMAT, "file is 63 bytes, shorter than the 64-byte ELF header");
	build(&m);
	m.b[1] = 'F';
	FAILS(&m, LM_ERR_FORMAT, "bad magic");
	build(&m);
	m.b[4] = 1;
	FAILS(&m, LM_ERR_UNSUPPORTED, "EI_CLASS] 1: 32-bit");
	m.b[4] = 3;
	FAILS(&m, LM_ERR_FORMAT, "EI_CLASS] 3");
	build(&m);
	m.b[5] = 2;
	FAILS(&m, LM_ERR_UNSUPPORTED, "EI_DATA] 2: big-endian");
	m.b[5] = 0;
	FAILS(&m, LM_ERR_FORMAT, "EI_DATA] 0");
	build(&m);
	m.b[6] = 0;
	FAILS(&m, LM_ERR_FORMAT, "EI_VERSION");
	build(&m);
	ehdr_set(&m, 20, 2, 4);
	FAILS(&m, LM_ERR_FORMAT, "e_version");
	build(&m);
	ehdr_set(&m, 18, 3, 2);
	FAILS(&m, LM_ERR_UNSUPPORTED, "e_machine 3 is not EM_X86_64");
	build(&m);
	ehdr_set(&m, 16, 2, 2);
	FAILS(&m, LM_ERR_UNSUPPORTED, "e_type 2 (ET_EXEC): fixed addresses");
	ehdr_set(&m, 16, 4, 2);
	FAILS(&m, LM_ERR_UNSUPPORTED, "e_type 4 is not ET_DYN (3) or ET_EXEC (2)");
	build(&m);
	ehdr_set(&m, 54, 32, 2);
	FAILS(&m, LM_ERR_FORMAT, "e_phentsize 32, expected 56");
	build(&m);
	ehdr_set(&m, 56, 0, 2);
	FAILS(&m, LM_ERR_FORMAT, "e_phnum 0");
	ehdr_set(&m, 56, 0xffff, 2);
	FAILS(&m, LM_ERR_UNSUPPORTED, "e_phnum 0xffff");
	ehdr_set(&m, 56, 300, 2);
	FAILS(&m, LM_ERR_FORMAT, "program header table (e_phoff 0x40, e_phnum 300) runs past the end of the 0x3200-byte file");
	build(&m);
	ehdr_set(&m, 32, 0xfffffffffffffff0ull, 8);
	FAILS(&m, LM_ERR_FORMAT, "e_phoff 0xfffffffffffffff0");
	build(&m);
	ehdr_set(&m, 24, 0x1000, 8);
	FAILS(&m, LM_ERR_FORMAT, "e_entry 0x1000 is not inside an executable segment");
	ehdr_set(&m, 24, 8, 8); /* just past the code */
	FAILS(&m, LM_ERR_FORMAT, "e_entry 0x8");
}

TEST(elf, segment_errors)
{
	static struct img m;

	build(&m);
	ph_set(&m, 1, P_OFFSET, 0x3100);
	ph_set(&m, 1, P_VADDR, 0x1100);
	FAILS(&m, LM_ERR_FORMAT, "segment 1: file range 0x3100+0x200 runs past the end of the 0x3200-byte file");
	build(&m);
	ph_set(&m, 2, P_OFFSET, 0xfffffffffffff000ull);
	FAILS(&m, LM_ERR_FORMAT, "segment 2: file range 0xfffffffffffff000+0x200");
	build(&m);
	ph_set(&m, 0, P_FILESZ, 0x10);
	FAILS(&m, LM_ERR_FORMAT, "segment 0: p_filesz 0x10 exceeds p_memsz 0x8");
	build(&m);
	ph_set(&m, 1, P_ALIGN, 0x3000);
	FAILS(&m, LM_ERR_FORMAT, "segment 1: p_align 0x3000 is not a power of two");
	ph_set(&m, 1, P_ALIGN, 0x200000);
	FAILS(&m, LM_ERR_UNSUPPORTED, "segment 1: p_align 0x200000 is larger than a page");
	build(&m);
	ph_set(&m, 1, P_VADDR, 0x1008);
	FAILS(&m, LM_ERR_FORMAT, "segment 1: p_vaddr 0x1008 and p_offset 0x2000 differ modulo p_align");
	build(&m);
	ph_set(&m, 2, P_VADDR, 0xffff800000000000ull);
	FAILS(&m, LM_ERR_FORMAT, "segment 2: p_vaddr 0xffff800000000000 + p_memsz 0x3000 is out of range");
	build(&m);
	ph_set(&m, 2, P_FLAGS, 7);
	FAILS(&m, LM_ERR_UNSUPPORTED, "segment 2: writable and executable (p_flags 0x7)");
	build(&m);
	ph_set(&m, 2, P_VADDR, 0x1000);
	FAILS(&m, LM_ERR_FORMAT, "segment 2: p_vaddr 0x1000 overlaps");
	build(&m);
	ph_set(&m, 1, P_VADDR, 0x0);
	FAILS(&m, LM_ERR_FORMAT, "segment 1: p_vaddr 0x0 overlaps");
	build(&m);
	ph_set(&m, 2, P_MEMSZ, 0x40000000);
	FAILS(&m, LM_ERR_UNSUPPORTED, "span 0x40002000 bytes, more than 1 GiB");
	build(&m);
	for (int i = 0; i < 4; i++)
		ph_set(&m, i, P_TYPE, 4); /* PT_NOTE */
	FAILS(&m, LM_ERR_FORMAT, "no loadable segment");
	build(&m);
	ph_set(&m, 3, P_TYPE, 3);
	FAILS(&m, LM_ERR_UNSUPPORTED, "segment 3: PT_INTERP");
	ph_set(&m, 3, P_TYPE, 7);
	FAILS(&m, LM_ERR_UNSUPPORTED, "segment 3: PT_TLS");
	build(&m);
	phdr(&m, 4, 2, 6, DATA_OFF + 0x100, DYN_VADDR, 0x60, 0x60, 8);
	ehdr_set(&m, 56, 5, 2);
	FAILS(&m, LM_ERR_FORMAT, "segment 4: a second PT_DYNAMIC");
}

TEST(elf, segment_count_limit)
{
	static struct img m;
	struct host_env h = {0};
	struct elf_env env = env_of(&h);
	struct elf_image im;
	char detail[160];

	/* Empty loads take no room; five more bss pages make eight. */
	build(&m);
	phdr(&m, 4, 1, 6, 0, 0x9000, 0, 0, 0x1000);
	for (int i = 0; i < 5; i++)
		phdr(&m, 5 + i, 1, 4, 0, 0x10000 + 0x1000 * (uint64_t)i, 0, 0x1000, 0x1000);
	ehdr_set(&m, 56, 10, 2);
	ASSERT_EQ(elf_load(m.b, m.size, &env, &im, detail, sizeof detail), LM_OK);
	EXPECT_EQ(im.segment_count, 8);
	EXPECT_EQ(im.size, 0x15000);
	EXPECT_EQ(h.protects, 8);
	unload(&im);

	phdr(&m, 10, 1, 4, 0, 0x20000, 0, 0x1000, 0x1000);
	ehdr_set(&m, 56, 11, 2);
	FAILS(&m, LM_ERR_UNSUPPORTED, "segment 10: more than 8 loadable segments");
}

TEST(elf, dynamic_errors)
{
	static struct img m;

	build(&m);
	ph_set(&m, 3, P_VADDR, 0x5000);
	FAILS(&m, LM_ERR_FORMAT, "segment 3: PT_DYNAMIC 0x5000+0x60 is not inside a loaded segment");
	ph_set(&m, 3, P_VADDR, 0x2300); /* in the bss: no file bytes */
	FAILS(&m, LM_ERR_FORMAT, "PT_DYNAMIC 0x2300+0x60 is not inside");
	build(&m);
	ph_set(&m, 3, P_OFFSET, DATA_OFF + 0x108);
	FAILS(&m, LM_ERR_FORMAT, "PT_DYNAMIC p_offset 0x3108 disagrees");
	build(&m);
	dyn(&m, 2, 9, 16);
	FAILS(&m, LM_ERR_FORMAT, "DT_RELAENT 16, expected 24");
	dyn(&m, 2, 21, 0);
	FAILS(&m, LM_ERR_FORMAT, "DT_RELAENT 0 (missing)");
	build(&m);
	dyn(&m, 1, 8, 70);
	FAILS(&m, LM_ERR_FORMAT, "DT_RELASZ 0x46 is not a multiple of 24");
	build(&m);
	dyn(&m, 0, 7, 0x4000);
	FAILS(&m, LM_ERR_FORMAT, "DT_RELA table 0x4000+0x48 is not inside");
	dyn(&m, 0, 7, 0x11f0); /* runs past the rodata's file bytes */
	FAILS(&m, LM_ERR_FORMAT, "DT_RELA table 0x11f0+0x48");
	dyn(&m, 0, 21, 0);
	FAILS(&m, LM_ERR_FORMAT, "DT_RELASZ 0x48 without DT_RELA");
	build(&m);
	for (int i = 3; i < 6; i++)
		dyn(&m, i, 21, 0);
	FAILS(&m, LM_ERR_FORMAT, "PT_DYNAMIC has no DT_NULL");
	build(&m);
	dyn(&m, 3, 1, 1);
	FAILS(&m, LM_ERR_UNSUPPORTED, "dynamic entry 3: DT_NEEDED");
	dyn(&m, 3, 23, RELA_VADDR);
	FAILS(&m, LM_ERR_UNSUPPORTED, "DT_JMPREL/DT_PLTRELSZ: PLT relocations");
	dyn(&m, 3, 17, RELA_VADDR);
	FAILS(&m, LM_ERR_UNSUPPORTED, "DT_REL: only DT_RELA");
	dyn(&m, 3, 36, RELA_VADDR);
	FAILS(&m, LM_ERR_UNSUPPORTED, "DT_RELR");
}

TEST(elf, relocation_errors)
{
	static struct img m;

	build(&m);
	rela(&m, 1, 0x2008, 6, 0);
	FAILS(&m, LM_ERR_UNSUPPORTED, "relocation 1: type 6 (R_X86_64_GLOB_DAT) is not supported");
	rela(&m, 1, 0x2008, 99, 0);
	FAILS(&m, LM_ERR_UNSUPPORTED, "relocation 1: type 99 (unknown)");
	rela(&m, 1, 0x2008, 1ull << 32 | 8, 0);
	FAILS(&m, LM_ERR_FORMAT, "relocation 1: R_X86_64_RELATIVE with symbol 1");
	rela(&m, 1, 0x10, 8, 0);
	FAILS(&m, LM_ERR_FORMAT, "relocation 1: target 0x10 is not inside a writable segment");
	rela(&m, 1, 0x1000, 8, 0);
	FAILS(&m, LM_ERR_FORMAT, "target 0x1000 is not inside a writable");
	rela(&m, 1, 0x4ffc, 8, 0); /* straddles the end of the bss */
	FAILS(&m, LM_ERR_FORMAT, "target 0x4ffc");
	rela(&m, 1, 0xfffffffffffffffcull, 8, 0);
	FAILS(&m, LM_ERR_FORMAT, "target 0xfffffffffffffffc");

	/* The last 8 bytes of the bss are a fine target. */
	{
		struct host_env h = {0};
		struct elf_env env = env_of(&h);
		struct elf_image im;
		char detail[160];

		rela(&m, 1, 0x4ff8, 8, 0x1008);
		ASSERT_EQ(elf_load(m.b, m.size, &env, &im, detail, sizeof detail), LM_OK);
		EXPECT_EQ(word_at(im.base + 0x4ff8), im.base + 0x1008);
		unload(&im);
	}
}

TEST(elf, reserve_failure_releases_nothing)
{
	static struct img m;
	struct host_env h = {.reserve_error = LM_ERR_NOSPACE};
	struct elf_env env = env_of(&h);
	struct elf_image im;
	char detail[160];

	build(&m);
	EXPECT_EQ(elf_load(m.b, m.size, &env, &im, detail, sizeof detail), LM_ERR_NOSPACE);
	EXPECT(strstr(detail, "cannot reserve 0x5000 bytes"));
	EXPECT_EQ(h.releases, 0);
	EXPECT_EQ(h.protects, 0);
	EXPECT_EQ(im.base, 0);
	h.reserve_error = LM_ERR_NOMEM;
	EXPECT_EQ(elf_load(m.b, m.size, &env, &im, NULL, 0), LM_ERR_NOMEM);
	EXPECT_EQ(h.releases, 0);
}

TEST(elf, protect_failure_releases_once)
{
	static struct img m;
	struct elf_image im;
	char detail[160];

	build(&m);
	for (int at = 1; at <= 3; at++) {
		struct host_env h = {.protect_fails_at = at};
		struct elf_env env = env_of(&h);

		char want[64];

		EXPECT_EQ(elf_load(m.b, m.size, &env, &im, detail, sizeof detail), LM_ERR_FAULT);
		EXPECT(strstr(detail, "protecting segment pages"));
		/* The pages named are the ones whose protect failed. */
		snprintf(want, sizeof want, "0x%lx+0x%lx", (unsigned long)h.calls[at - 1].addr,
			 (unsigned long)h.calls[at - 1].len);
		EXPECT(strstr(detail, want));
		EXPECT(!strstr(detail, "0x0+0x0"));
		EXPECT_EQ(h.protects, at);
		EXPECT_EQ(h.reserves, 1);
		EXPECT_EQ(h.releases, 1);
		EXPECT_EQ(h.released_base, h.base);
		EXPECT_EQ(h.released_size, h.size);
		EXPECT_EQ(im.base, 0);
		EXPECT_EQ(im.entry, 0);
	}
}

/* Every cut of the file is refused before anything is reserved. */
TEST(elf, truncated_everywhere)
{
	static struct img m;

	build(&m);
	for (size_t cut = 0; cut < FILE_SIZE; cut++) {
		m.size = cut;
		fails(&m, LM_ERR_FORMAT, "", __LINE__);
	}
}

/* Any one byte of the headers and tables changed: loaded or refused, and a
 * reservation is never left behind or given back twice. */
TEST(elf, every_header_byte_changed)
{
	static struct img m;
	static const size_t ranges[][2] = {{0, 64 + 4 * 56}, {RO_OFF + 0x100, RO_OFF + 0x148},
					   {DATA_OFF + 0x100, DATA_OFF + 0x160}};
	static const uint8_t flips[] = {0x01, 0x80, 0xff};
	int loaded = 0, refused = 0;

	for (size_t r = 0; r < 3; r++) {
		for (size_t at = ranges[r][0]; at < ranges[r][1]; at++) {
			for (size_t f = 0; f < sizeof flips; f++) {
				struct host_env h = {0};
				struct elf_env env = env_of(&h);
				struct elf_image im;
				char detail[160];
				enum lm_err err;

				build(&m);
				m.b[at] ^= flips[f];
				err = elf_load(m.b, m.size, &env, &im, detail, sizeof detail);
				if (err == LM_OK) {
					loaded++;
					EXPECT_EQ(h.releases, 0);
					EXPECT(im.entry >= im.base && im.entry < im.base + im.size);
					unload(&im);
				} else {
					refused++;
					EXPECT_EQ(h.reserves, h.releases);
					EXPECT(detail[0] != 0);
					EXPECT(err == LM_ERR_FORMAT || err == LM_ERR_UNSUPPORTED);
				}
			}
		}
	}
	test_diag("%d variants loaded, %d refused", loaded, refused);
	EXPECT(refused > 0 && loaded > 0);
}
