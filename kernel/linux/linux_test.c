/*
 * Host tests of the Linux personality's pure parts (kernel/linux/exec.h,
 * path.h): command lines split into words, executables checked and
 * planned (a real static ET_EXEC and a static PIE, made here byte by
 * byte, and what is refused), the initial stack's exact layout, path
 * names made absolute, and signal frames: Linux's layout, where a frame
 * goes, and what rt_sigreturn refuses.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kernel/linux/abi.h"
#include "kernel/linux/exec.h"
#include "kernel/linux/path.h"
#include "kernel/linux/sigframe.h"
#include "lib/test.h"

/* --- words */

static const char *split(const char *line, enum lm_err *err)
{
	static char out[512];
	char buf[256], *w[16];
	int n = -1;
	size_t used = 0;

	*err = linux_words(line, buf, sizeof buf, w, 16, &n);
	out[0] = 0;
	for (int i = 0; !*err && i < n; i++)
		used += (size_t)snprintf(out + used, sizeof out - used, "%s|", w[i]);
	return out;
}

TEST(linux, words_split_as_a_shell_would)
{
	enum lm_err err;

	EXPECT_STREQ(split("", &err), "");
	EXPECT_EQ(err, LM_OK);
	EXPECT_STREQ(split("  /bin/busybox   echo\thi ", &err), "/bin/busybox|echo|hi|");
	EXPECT_STREQ(split("awk -F : '{ print $1 }' t/passwd", &err),
		     "awk|-F|:|{ print $1 }|t/passwd|");
	EXPECT_STREQ(split("printf '%s=%d\\n' a 1", &err), "printf|%s=%d\\n|a|1|");
	EXPECT_STREQ(split("a\"b c\"d \"\\\"q\\$\" e\\ f ''", &err), "ab cd|\"q$|e f||");
	EXPECT_EQ(err, LM_OK);
}

TEST(linux, words_refuse_open_quotes_and_overflow)
{
	char buf[8], *w[2];
	int n;

	EXPECT_EQ(linux_words("'open", buf, sizeof buf, w, 2, &n), LM_ERR_FORMAT);
	EXPECT_EQ(linux_words("\"open", buf, sizeof buf, w, 2, &n), LM_ERR_FORMAT);
	EXPECT_EQ(linux_words("end\\", buf, sizeof buf, w, 2, &n), LM_ERR_FORMAT);
	EXPECT_EQ(linux_words("a b c", buf, sizeof buf, w, 2, &n), LM_ERR_NOSPACE);
	EXPECT_EQ(linux_words("abcdefgh", buf, sizeof buf, w, 2, &n), LM_ERR_NOSPACE);
	EXPECT_EQ(linux_words("abcdefg", buf, sizeof buf, w, 2, &n), LM_OK);
	EXPECT_EQ(n, 1);
}

/* --- ELF plans */

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* A file of size bytes with an ELF header of type and entry, and phnum
 * program headers at 64 whose i-th is ph[i]: type, flags, offset, vaddr,
 * filesz, memsz. */
static void make_elf(uint8_t *f, size_t size, unsigned type, uint64_t entry,
		     const uint64_t ph[][6], int phnum)
{
	memset(f, 0, size);
	memcpy(f, "\x7f" "ELF\x02\x01\x01", 7);
	put(f + 16, type, 2);
	put(f + 18, 62, 2);
	put(f + 20, 1, 4);
	put(f + 24, entry, 8);
	put(f + 32, 64, 8);
	put(f + 52, 64, 2);
	put(f + 54, 56, 2);
	put(f + 56, (uint64_t)phnum, 2);
	for (int i = 0; i < phnum; i++) {
		uint8_t *h = f + 64 + 56 * i;

		put(h, ph[i][0], 4);
		put(h + 4, ph[i][1], 4);
		put(h + 8, ph[i][2], 8);
		put(h + 16, ph[i][3], 8);
		put(h + 32, ph[i][4], 8);
		put(h + 40, ph[i][5], 8);
	}
}

/* As busybox-static is laid out: headers in a read-only first segment,
 * code, read-only data, data and bss starting mid-page, and PT_TLS,
 * PT_GNU_STACK, which are the program's business. */
static const uint64_t busybox_like[][6] = {
	{1, 4, 0, 0x400000, 0x6e0, 0x6e0},
	{1, 5, 0x1000, 0x401000, 0x183989, 0x183989},
	{1, 4, 0x185000, 0x585000, 0x55017, 0x55017},
	{1, 6, 0x1da708, 0x5db708, 0x9008, 0x10450},
	{7, 4, 0x1da708, 0x5db708, 0x28, 0x8a},
	{0x6474e551, 6, 0, 0, 0, 0},
};

static uint8_t file[0x1e4000];

TEST(linux, elf_plan_of_a_static_fixed_executable)
{
	struct linux_elf_plan p;
	const char *why = NULL;

	make_elf(file, sizeof file, 2, 0x40ebf0, busybox_like, 6);
	ASSERT_EQ(linux_elf_plan(file, sizeof file, &p, &why), LM_OK);
	EXPECT(!p.pie);
	EXPECT_EQ(p.count, 4u);
	EXPECT_EQ(p.lo, 0x400000u);
	EXPECT_EQ(p.hi, 0x5ec000u);
	EXPECT_EQ(p.entry, 0x40ebf0u);
	EXPECT_EQ(p.phdr, 0x400040u); /* e_phoff inside the first segment */
	EXPECT_EQ(p.phnum, 6u);
	EXPECT_EQ(p.seg[1].prot, (unsigned)(LINUX_PROT_READ | LINUX_PROT_EXEC));
	EXPECT_EQ(p.seg[3].prot, (unsigned)(LINUX_PROT_READ | LINUX_PROT_WRITE));
	EXPECT_EQ(p.seg[3].filesz, 0x9008u);
}

TEST(linux, elf_plan_of_a_static_pie)
{
	const uint64_t ph[][6] = {{6, 4, 64, 64, 112, 112}, {1, 5, 0, 0, 0x2000, 0x2000},
				  {1, 6, 0x2000, 0x3000, 0x100, 0x2000}};
	struct linux_elf_plan p;

	make_elf(file, 0x3000, 3, 0x1000, ph, 3);
	ASSERT_EQ(linux_elf_plan(file, 0x3000, &p, NULL), LM_OK);
	EXPECT(p.pie);
	EXPECT_EQ(p.lo, 0u);
	EXPECT_EQ(p.hi, 0x5000u);
	EXPECT_EQ(p.phdr, 64u); /* PT_PHDR's */
}

/* One bad thing in an otherwise good file, and what it gives. */
static enum lm_err plan_with(unsigned type, uint64_t entry, const uint64_t ph[][6], int n,
			     size_t size)
{
	struct linux_elf_plan p;

	make_elf(file, size, type, entry, ph, n);
	return linux_elf_plan(file, size, &p, NULL);
}

TEST(linux, elf_plan_refusals)
{
	const uint64_t interp[][6] = {{3, 4, 0x200, 0x400200, 0x1c, 0x1c},
				      {1, 5, 0, 0x400000, 0x1000, 0x1000}};
	const uint64_t past_file[][6] = {{1, 5, 0, 0x400000, 0x5000, 0x5000}};
	const uint64_t misaligned[][6] = {{1, 5, 0x10, 0x400000, 0x100, 0x100}};
	const uint64_t big_file[][6] = {{1, 5, 0, 0x400000, 0x200, 0x100}};
	const uint64_t overlap[][6] = {{1, 5, 0, 0x400000, 0x1000, 0x2000},
				       {1, 6, 0x1000, 0x401000, 0x100, 0x100}};
	const uint64_t page_zero[][6] = {{1, 5, 0, 0, 0x1000, 0x1000}};
	const uint64_t high[][6] = {{1, 5, 0, 0x7ffffffff000, 0x1000, 0x2000}};
	const uint64_t good[][6] = {{1, 5, 0, 0x400000, 0x1000, 0x1000}};
	struct linux_elf_plan p;
	const char *why = NULL;

	EXPECT_EQ(plan_with(2, 0x400000, interp, 2, 0x1000), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(plan_with(2, 0x400000, past_file, 1, 0x1000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x400000, misaligned, 1, 0x1000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x400000, big_file, 1, 0x1000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x400000, overlap, 2, 0x2000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x1000, page_zero, 1, 0x1000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x7ffffffff000, high, 1, 0x1000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x500000, good, 1, 0x1000), LM_ERR_FORMAT); /* entry outside */
	EXPECT_EQ(plan_with(1, 0x400000, good, 1, 0x1000), LM_ERR_UNSUPPORTED); /* ET_REL */
	EXPECT_EQ(plan_with(2, 0x400000, good, 0, 0x1000), LM_ERR_FORMAT);
	EXPECT_EQ(plan_with(2, 0x400000, good, 1, 0x1000), LM_OK);
	make_elf(file, 0x1000, 2, 0x400000, good, 1);
	file[4] = 1; /* 32-bit */
	EXPECT_EQ(linux_elf_plan(file, 0x1000, &p, &why), LM_ERR_UNSUPPORTED);
	EXPECT_STREQ(why, "not a 64-bit ELF file");
	EXPECT_EQ(linux_elf_plan(file, 63, &p, &why), LM_ERR_FORMAT);
	make_elf(file, 0x1000, 2, 0x400000, good, 1);
	put(file + 56, 100, 2); /* headers past the end */
	EXPECT_EQ(linux_elf_plan(file, 0x1000, &p, &why), LM_ERR_FORMAT);
}

/* --- the initial stack */

#define TOP 0x7fffffff0000ull

static uint64_t word(const uint8_t *buf, size_t cap, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, buf + (addr - (TOP - cap)), 8);
	return v;
}

static const char *str(const uint8_t *buf, size_t cap, uint64_t addr)
{
	return (const char *)buf + (addr - (TOP - cap));
}

TEST(linux, initial_stack_layout_is_linuxs)
{
	static uint8_t buf[4096];
	char *argv[] = {"/bin/busybox", "echo", "hi"};
	char *envp[] = {"PATH=/bin", "HOME=/"};
	struct linux_exec_info in = {
		.argv = argv, .argc = 3, .envp = envp, .envc = 2, .execfn = "/bin/busybox",
		.phdr = 0x400040, .phnum = 10, .entry = 0x40ebf0, .hwcap = 0x178bfbff,
	};
	uint64_t sp, at, aux[64] = {0}, seen = 0;

	for (int i = 0; i < 16; i++)
		in.random[i] = (uint8_t)(i + 1);
	memset(buf, 0xaa, sizeof buf);
	ASSERT_EQ(linux_stack_build(&in, TOP, buf, sizeof buf, &sp), LM_OK);
	EXPECT_EQ(sp % 16, 0u);
	EXPECT(sp >= TOP - sizeof buf && sp < TOP);
	EXPECT_EQ(word(buf, sizeof buf, sp), 3u);
	for (int i = 0; i < 3; i++)
		EXPECT_STREQ(str(buf, sizeof buf, word(buf, sizeof buf, sp + 8 + 8 * i)), argv[i]);
	EXPECT_EQ(word(buf, sizeof buf, sp + 32), 0u);
	EXPECT_STREQ(str(buf, sizeof buf, word(buf, sizeof buf, sp + 40)), "PATH=/bin");
	EXPECT_STREQ(str(buf, sizeof buf, word(buf, sizeof buf, sp + 48)), "HOME=/");
	EXPECT_EQ(word(buf, sizeof buf, sp + 56), 0u);
	/* The argument strings lie in order, argv[0]'s lowest, the
	 * environment's just above them: one block, as on Linux. */
	EXPECT_EQ(word(buf, sizeof buf, sp + 16), word(buf, sizeof buf, sp + 8) + 13);
	EXPECT_EQ(word(buf, sizeof buf, sp + 40), word(buf, sizeof buf, sp + 24) + 3);
	for (at = sp + 64; word(buf, sizeof buf, at); at += 16) {
		uint64_t k = word(buf, sizeof buf, at);

		ASSERT(k < 64);
		seen |= 1ull << k;
		aux[k] = word(buf, sizeof buf, at + 8);
	}
	EXPECT_EQ((at - (sp + 64)) / 16, (uint64_t)LINUX_AUXV_COUNT - 1);
	EXPECT_EQ(aux[LINUX_AT_PHDR], 0x400040u);
	EXPECT_EQ(aux[LINUX_AT_PHENT], 56u);
	EXPECT_EQ(aux[LINUX_AT_PHNUM], 10u);
	EXPECT_EQ(aux[LINUX_AT_PAGESZ], 4096u);
	EXPECT_EQ(aux[LINUX_AT_ENTRY], 0x40ebf0u);
	EXPECT_EQ(aux[LINUX_AT_HWCAP], 0x178bfbffu);
	EXPECT_EQ(aux[LINUX_AT_CLKTCK], 100u);
	EXPECT(seen >> LINUX_AT_SECURE & 1);
	EXPECT_EQ(aux[LINUX_AT_SECURE], 0u);
	EXPECT_STREQ(str(buf, sizeof buf, aux[LINUX_AT_EXECFN]), "/bin/busybox");
	EXPECT_STREQ(str(buf, sizeof buf, aux[LINUX_AT_PLATFORM]), "x86_64");
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(buf[aux[LINUX_AT_RANDOM] - (TOP - sizeof buf) + i], i + 1);
	/* Eight zero bytes end the stack; nothing below sp was written. */
	EXPECT_EQ(word(buf, sizeof buf, TOP - 8), 0u);
	EXPECT_EQ(buf[sp - (TOP - sizeof buf) - 1], 0xaa);
}

TEST(linux, initial_stack_refusals)
{
	static uint8_t buf[256];
	char *argv[] = {"x", NULL};
	struct linux_exec_info in = {.argv = argv, .argc = 1, .execfn = "x"};
	uint64_t sp;

	EXPECT_EQ(linux_stack_build(&in, TOP, buf, 64, &sp), LM_ERR_NOSPACE);
	EXPECT_EQ(linux_stack_build(&in, TOP + 8, buf, sizeof buf, &sp), LM_ERR_INVAL);
	in.argc = 2; /* a NULL string */
	EXPECT_EQ(linux_stack_build(&in, TOP, buf, sizeof buf, &sp), LM_ERR_INVAL);
	in.argc = -1;
	EXPECT_EQ(linux_stack_build(&in, TOP, buf, sizeof buf, &sp), LM_ERR_INVAL);
	in.argc = 1;
	EXPECT_EQ(linux_stack_build(&in, TOP, buf, sizeof buf, &sp), LM_ERR_NOSPACE); /* auxv */
	{
		static uint8_t big[512];

		EXPECT_EQ(linux_stack_build(&in, TOP, big, sizeof big, &sp), LM_OK);
	}
}

/* --- paths */

static const char *resolve(const char *cwd, const char *path)
{
	static char out[LINUX_PATH_MAX];
	enum lm_err err = linux_path_resolve(cwd, path, out, sizeof out);

	return err == LM_ERR_NOENT ? "ENOENT" : err ? "TOOLONG" : out;
}

TEST(linux, paths_made_absolute_and_normal)
{
	const char *rest;

	EXPECT_STREQ(resolve("/", "t/words"), "/t/words");
	EXPECT_STREQ(resolve("/tmp", "a//b/./c/"), "/tmp/a/b/c");
	EXPECT_STREQ(resolve("/tmp/x", "../../.."), "/");
	EXPECT_STREQ(resolve("/a", "/b/../c"), "/c");
	EXPECT_STREQ(resolve("/a", "/"), "/");
	EXPECT_STREQ(resolve("/a", "."), "/a");
	EXPECT_STREQ(resolve("/a", ""), "ENOENT");
	{
		char out[8];

		EXPECT_EQ(linux_path_resolve("/", "/abcdefg", out, sizeof out), LM_ERR_RANGE);
		EXPECT_EQ(linux_path_resolve("/", "/abcdef", out, sizeof out), LM_OK);
	}
	EXPECT(linux_path_under("/tmp/a", "/tmp", &rest));
	EXPECT_STREQ(rest, "/a");
	EXPECT(linux_path_under("/tmp", "/tmp", &rest));
	EXPECT_STREQ(rest, "");
	EXPECT(!linux_path_under("/tmpx", "/tmp", &rest));
	EXPECT(!linux_path_under("/tm", "/tmp", &rest));
}

/* --- signal frames */

TEST(linux, signal_frame_layout_is_linuxs)
{
	/* Offsets a handler and glibc read (Linux's uapi and x86-64 frames). */
	EXPECT_EQ(offsetof(struct linux_rt_sigframe, uc), 8u);
	EXPECT_EQ(offsetof(struct linux_ucontext, stack), 16u);
	EXPECT_EQ(offsetof(struct linux_ucontext, mcontext), 40u);
	EXPECT_EQ(offsetof(struct linux_ucontext, sigmask), 296u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, rdi), 64u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, rsp), 120u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, rip), 128u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, eflags), 136u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, cs), 144u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, oldmask), 168u);
	EXPECT_EQ(offsetof(struct linux_sigcontext, fpstate), 184u);
	EXPECT_EQ(offsetof(struct linux_siginfo, code), 8u);
	EXPECT_EQ(offsetof(struct linux_siginfo, u.chld.pid), 16u);
	EXPECT_EQ(offsetof(struct linux_siginfo, u.chld.status), 24u);
	EXPECT_EQ(offsetof(struct linux_siginfo, u.chld.utime), 32u);
	EXPECT_EQ(sizeof(struct linux_sigaction), 32u);
	EXPECT_EQ(sizeof(struct linux_stack_t), 24u);
}

TEST(linux, signal_frame_placed_below_the_red_zone)
{
	uint64_t frame, fp;

	for (uint64_t sp = 0x7fffffffe000; sp > 0x7fffffffe000 - 64; sp -= 8) {
		ASSERT_EQ(linux_sigframe_place(sp, &frame, &fp), LM_OK);
		EXPECT_EQ(fp % 64, 0u);                              /* the FP image aligned */
		EXPECT(fp + LINUX_FXSTATE_SIZE <= sp - LINUX_RED_ZONE); /* the red zone kept */
		EXPECT(frame + sizeof(struct linux_rt_sigframe) <= fp); /* no overlap */
		EXPECT_EQ((frame + 8) % 16, 0u);                      /* as after a call */
		EXPECT(fp - frame < sizeof(struct linux_rt_sigframe) + 32); /* and close */
	}
	EXPECT_EQ(linux_sigframe_place(LINUX_USER_TOP + 8, &frame, &fp), LM_ERR_RANGE);
	EXPECT_EQ(linux_sigframe_place(512, &frame, &fp), LM_ERR_RANGE); /* would wrap */
	EXPECT_EQ(linux_sigframe_place(LINUX_USER_TOP, &frame, &fp), LM_OK);
}

TEST(linux, signal_frame_checks_on_return)
{
	struct linux_sigcontext sc = {.rip = 0x401000, .rsp = 0x7ffffffde000,
				      .fpstate = 0x7ffffffde400};
	uint8_t fx[LINUX_FXSTATE_SIZE] = {0};

	EXPECT_EQ(linux_sigcontext_check(&sc), LM_OK);
	sc.rip = 0x800000000000;                  /* not canonical: iretq would fault */
	EXPECT_EQ(linux_sigcontext_check(&sc), LM_ERR_FAULT);
	sc.rip = 0xffffffff80000000;              /* the kernel's half */
	EXPECT_EQ(linux_sigcontext_check(&sc), LM_ERR_FAULT);
	sc.rip = 0x401000;
	sc.rsp = 0x8000000000000000;
	EXPECT_EQ(linux_sigcontext_check(&sc), LM_ERR_FAULT);
	sc.rsp = 0x7ffffffde000;
	sc.fpstate = 0x7ffffffde408;              /* misaligned */
	EXPECT_EQ(linux_sigcontext_check(&sc), LM_ERR_FAULT);
	sc.fpstate = LINUX_USER_TOP - 16;         /* runs past the half */
	EXPECT_EQ(linux_sigcontext_check(&sc), LM_ERR_FAULT);
	sc.fpstate = 0;                           /* none: the state stays */
	EXPECT_EQ(linux_sigcontext_check(&sc), LM_OK);
	fx[24] = 0x80;
	fx[25] = 0x1f;                            /* MXCSR 0x1f80 */
	EXPECT_EQ(linux_fxstate_check(fx), LM_OK);
	fx[26] = 1;                               /* a reserved bit: fxrstor faults */
	EXPECT_EQ(linux_fxstate_check(fx), LM_ERR_FAULT);
}
