/*
 * libFuzzer: the Linux personality's parsers of outside input must end,
 * stay in bounds and keep their promises on any bytes (kernel/linux/
 * exec.h, path.h). The input is a command line (up to the first NUL),
 * then the rest as an ELF file: the line is split into words, each word
 * resolved as a path against "/" (absolute, normal: no "." or ".."
 * component, no "//"), the words built into an initial stack of a
 * fuzzer-chosen size (inside it, sp aligned and argc right), and the file
 * planned (a plan's segments ascending, inside the file, the entry inside
 * the span). The file's first bytes are also a signal frame as
 * rt_sigreturn reads one back (sigframe.h): one it accepts returns to the
 * lower half only, and a frame placed for any stack pointer lies below it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/linux/exec.h"
#include "kernel/linux/path.h"
#include "kernel/linux/sigframe.h"

#define TOP 0x7fffffff0000ull

static void check_path(const char *p)
{
	size_t l;

	if (p[0] != '/' || (p[1] && p[strlen(p) - 1] == '/') || strstr(p, "//") ||
	    strstr(p, "/./") || strstr(p, "/../"))
		abort();
	l = strlen(p);
	if ((l >= 2 && !strcmp(p + l - 2, "/.")) || (l >= 3 && !strcmp(p + l - 3, "/..")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t line_len = strnlen((const char *)data, size);
	char *line = malloc(line_len + 1), *words[32], buf[512], out[LINUX_PATH_MAX];
	const uint8_t *elf = data + line_len + (line_len < size);
	size_t elf_size = size - line_len - (line_len < size);
	int n = -1;

	memcpy(line, data, line_len);
	line[line_len] = 0;
	if (linux_words(line, buf, sizeof buf, words, 32, &n) == LM_OK) {
		size_t cap = 64 + (size % 2048);
		uint8_t *stack = malloc(cap);
		struct linux_exec_info in = {.argv = words, .argc = n, .envp = words, .envc = n / 2,
					     .execfn = n ? words[0] : ""};
		uint64_t sp;

		if (n < 0 || n > 32)
			abort();
		for (int i = 0; i < n; i++) {
			if (words[i] < buf || words[i] >= buf + sizeof buf)
				abort();
			if (linux_path_resolve("/", words[i], out, sizeof out) == LM_OK)
				check_path(out);
		}
		if (linux_stack_build(&in, TOP, stack, cap, &sp) == LM_OK) {
			uint64_t argc;

			if (sp % 16 || sp < TOP - cap || sp + 8 > TOP)
				abort();
			memcpy(&argc, stack + (sp - (TOP - cap)), 8);
			if (argc != (uint64_t)n)
				abort();
		}
		free(stack);
	}
	{
		struct linux_elf_plan p;

		if (linux_elf_plan(elf, elf_size, &p, NULL) == LM_OK) {
			if (!p.count || p.count > LINUX_ELF_SEGMENTS || p.entry < p.lo || p.entry >= p.hi)
				abort();
			for (uint32_t i = 0; i < p.count; i++) {
				const struct linux_elf_segment *s = &p.seg[i];

				if (s->offset > elf_size || s->filesz > elf_size - s->offset ||
				    s->filesz > s->memsz || s->vaddr < p.lo || s->vaddr + s->memsz > p.hi ||
				    (i && s->vaddr < p.seg[i - 1].vaddr + p.seg[i - 1].memsz))
					abort();
			}
		}
	}
	if (elf_size >= sizeof(struct linux_sigcontext) + LINUX_FXSTATE_SIZE) {
		struct linux_sigcontext sc;
		uint64_t frame, fp, sp;

		memcpy(&sc, elf, sizeof sc);
		if (linux_sigcontext_check(&sc) == LM_OK &&
		    (sc.rip >= LINUX_USER_TOP || sc.rsp >= LINUX_USER_TOP || sc.fpstate % 16 ||
		     sc.fpstate + LINUX_FXSTATE_SIZE > LINUX_USER_TOP))
			abort();
		if (linux_fxstate_check(elf + sizeof sc) == LM_OK && (elf[sizeof sc + 26] ||
								       elf[sizeof sc + 27]))
			abort();
		sp = sc.rsp;
		if (linux_sigframe_place(sp, &frame, &fp) == LM_OK &&
		    (fp + LINUX_FXSTATE_SIZE > sp - LINUX_RED_ZONE || fp % 64 || (frame + 8) % 16 ||
		     frame + sizeof(struct linux_rt_sigframe) > fp || frame > fp))
			abort();
	}
	free(line);
	return 0;
}
