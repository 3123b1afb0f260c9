/*
 * What starting a Linux program needs before any memory is touched, all
 * portable and pure (host-tested and fuzzed: kernel/linux/linux_test.c,
 * linux_fuzz.c): splitting a command line into words (words.c), checking
 * a static ELF executable and planning where its segments go (elfplan.c),
 * and building the initial stack Linux gives a program (stack.c). The
 * kernel side (load.c) maps and copies what these plan.
 *
 * Every input is outside input: a line from /etc/programs, a file of the
 * boot archive. Each function checks every length and offset and returns
 * an lm_err code, never reading or writing outside the buffers it is
 * given.
 */
#ifndef KERNEL_LINUX_EXEC_H
#define KERNEL_LINUX_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

/*
 * Split line into words as a shell does, with no expansion: blanks (space,
 * tab) separate words; 'single quotes' keep everything up to the next
 * quote; "double quotes" keep everything but a backslash before " \ $ or `,
 * which it escapes; a backslash outside quotes keeps the next character.
 * The words go into buf (cap bytes, each NUL-terminated), pointers to them
 * into words[0 .. max - 1] and their count into *count. LM_ERR_FORMAT for a
 * quote left open or a backslash at the end, LM_ERR_NOSPACE if buf or
 * words is too small.
 */
enum lm_err linux_words(const char *line, char *buf, size_t cap, char **words, int max,
			int *count);

/* One loadable segment of an executable, as its file says. */
struct linux_elf_segment {
	uint64_t vaddr, memsz, offset, filesz;
	unsigned prot; /* LINUX_PROT_* */
};

#define LINUX_ELF_SEGMENTS 16
#define LINUX_ELF_SPAN (1ull << 32)   /* the most a PIE may span */
#define LINUX_ELF_TOP 0x7f0000000000ull /* ET_EXEC segments end below this */

/* Where an executable goes: its PT_LOAD segments, the page-aligned span
 * [lo, hi) they cover, the entry point and the program headers' address,
 * all before the load bias (0 for ET_EXEC; a PIE's chosen base - lo). */
struct linux_elf_plan {
	bool pie;
	uint64_t lo, hi, entry, phdr;
	uint16_t phnum, phent;
	uint32_t count;
	struct linux_elf_segment seg[LINUX_ELF_SEGMENTS];
};

/*
 * Check the size-byte file as a static x86-64 Linux executable, fixed
 * (ET_EXEC) or position-independent (ET_DYN without an interpreter: a
 * static PIE, which relocates itself), and plan its segments. LM_ERR_FORMAT
 * for a malformed file, LM_ERR_UNSUPPORTED for a valid one this cannot run
 * (32-bit, another machine, an interpreter: dynamically linked); *why (if
 * not NULL) gets a static string saying which.
 */
enum lm_err linux_elf_plan(const void *file, size_t size, struct linux_elf_plan *out,
			   const char **why);

/* What the initial stack holds (the psABI's process start: argc, argv,
 * envp, the auxiliary vector and the strings they point at). */
struct linux_exec_info {
	char *const *argv;
	int argc;
	char *const *envp;
	int envc;
	const char *execfn;     /* AT_EXECFN: the path it was started from */
	uint8_t random[16];     /* AT_RANDOM's bytes */
	uint64_t phdr, phnum, entry; /* after the load bias */
	uint64_t hwcap;         /* AT_HWCAP: CPUID leaf 1's EDX */
};

/* How many auxiliary vector entries linux_stack_build writes, AT_NULL's
 * included. */
#define LINUX_AUXV_COUNT 18

/*
 * Build the initial stack for a program whose stack ends at top (16-byte
 * aligned): buf holds the image of [top - cap, top). From top down: eight
 * zero bytes, the strings (execfn, the environment's, the arguments',
 * "x86_64"), AT_RANDOM's 16 bytes, then, 16-byte aligned, argc, the argv
 * pointers and a NULL, the envp pointers and a NULL, the auxiliary vector
 * ending in AT_NULL. *sp gets where argc is (16-byte aligned: the stack
 * pointer at the entry point). LM_ERR_NOSPACE if it does not fit in cap
 * bytes, LM_ERR_INVAL for a negative count or a NULL string.
 */
enum lm_err linux_stack_build(const struct linux_exec_info *in, uint64_t top, uint8_t *buf,
			      size_t cap, uint64_t *sp);

#endif
