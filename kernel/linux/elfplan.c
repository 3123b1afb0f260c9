/*
 * A static Linux executable checked and planned (see exec.h). Reads the
 * file only through rd16/rd32/rd64 at offsets checked against its size
 * (any alignment); writes only *out.
 *
 * Accepted as Linux's binfmt_elf would run them without an interpreter:
 * ELF64, little-endian, x86-64, ET_EXEC or ET_DYN, no PT_INTERP, at most
 * LINUX_ELF_SEGMENTS PT_LOAD entries in ascending p_vaddr, each with
 * p_filesz <= p_memsz, its file bytes inside the file, p_vaddr and
 * p_offset equal modulo the page size, and (ET_EXEC) below LINUX_ELF_TOP
 * above page zero; a PIE spans at most LINUX_ELF_SPAN. Other program
 * headers (PT_TLS, PT_GNU_STACK, notes, PT_GNU_RELRO) are the program's
 * own business: static glibc sets up its TLS itself, and a static PIE
 * relocates itself.
 */
#include "kernel/linux/abi.h"
#include "kernel/linux/exec.h"

#define PAGE 4096ull
enum { ET_EXEC = 2, ET_DYN = 3, PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6, EM_X86_64 = 62 };
enum { PF_X = 1, PF_W = 2, PF_R = 4 };

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static enum lm_err no(const char **why, enum lm_err err, const char *what)
{
	if (why)
		*why = what;
	return err;
}

enum lm_err linux_elf_plan(const void *file, size_t size, struct linux_elf_plan *out,
			   const char **why)
{
	const uint8_t *f = file;
	uint64_t phoff, type, prev_end = 0;
	struct linux_elf_plan p = {0};

	*out = p;
	if (size < 64 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return no(why, LM_ERR_FORMAT, "not an ELF file");
	if (f[4] != 2)
		return no(why, LM_ERR_UNSUPPORTED, "not a 64-bit ELF file");
	if (f[5] != 1)
		return no(why, LM_ERR_UNSUPPORTED, "not little-endian");
	if (rd(f + 18, 2) != EM_X86_64)
		return no(why, LM_ERR_UNSUPPORTED, "not an x86-64 program");
	type = rd(f + 16, 2);
	if (type != ET_EXEC && type != ET_DYN)
		return no(why, LM_ERR_UNSUPPORTED, "not an executable (ET_EXEC or ET_DYN)");
	p.pie = type == ET_DYN;
	p.entry = rd(f + 24, 8);
	phoff = rd(f + 32, 8);
	p.phent = (uint16_t)rd(f + 54, 2);
	p.phnum = (uint16_t)rd(f + 56, 2);
	if (p.phent != 56)
		return no(why, LM_ERR_FORMAT, "e_phentsize is not 56");
	if (!p.phnum || phoff > size || (size - phoff) / 56 < p.phnum)
		return no(why, LM_ERR_FORMAT, "program headers outside the file");
	for (uint32_t i = 0; i < p.phnum; i++) {
		const uint8_t *h = f + phoff + 56 * i;
		uint32_t pt = (uint32_t)rd(h, 4), flags = (uint32_t)rd(h + 4, 4);
		struct linux_elf_segment s = {
			.offset = rd(h + 8, 8), .vaddr = rd(h + 16, 8),
			.filesz = rd(h + 32, 8), .memsz = rd(h + 40, 8),
		};

		if (pt == PT_INTERP)
			return no(why, LM_ERR_UNSUPPORTED,
				  "dynamically linked (PT_INTERP): only static programs run");
		if (pt == PT_PHDR)
			p.phdr = s.vaddr;
		if (pt != PT_LOAD || !s.memsz)
			continue;
		if (p.count == LINUX_ELF_SEGMENTS)
			return no(why, LM_ERR_UNSUPPORTED, "too many loadable segments");
		if (s.filesz > s.memsz)
			return no(why, LM_ERR_FORMAT, "a segment's p_filesz exceeds its p_memsz");
		if (s.offset > size || size - s.offset < s.filesz)
			return no(why, LM_ERR_FORMAT, "a segment's bytes lie outside the file");
		if ((s.vaddr - s.offset) % PAGE)
			return no(why, LM_ERR_FORMAT, "a segment's p_vaddr and p_offset disagree modulo the page");
		if (s.vaddr + s.memsz < s.vaddr || s.vaddr + s.memsz > LINUX_ELF_TOP)
			return no(why, LM_ERR_FORMAT, "a segment lies past the lower half");
		if (s.vaddr < prev_end)
			return no(why, LM_ERR_FORMAT, "loadable segments overlap or are out of order");
		if (!p.pie && s.vaddr < 0x10000)
			return no(why, LM_ERR_FORMAT, "a fixed segment in the lowest 64 KiB");
		prev_end = s.vaddr + s.memsz;
		s.prot = (flags & PF_R ? LINUX_PROT_READ : 0) | (flags & PF_W ? LINUX_PROT_WRITE : 0) |
			 (flags & PF_X ? LINUX_PROT_EXEC : 0);
		if (!p.count)
			p.lo = s.vaddr & ~(PAGE - 1);
		p.hi = (prev_end + PAGE - 1) & ~(PAGE - 1);
		if (!p.phdr && phoff >= s.offset && phoff - s.offset < s.filesz)
			p.phdr = s.vaddr + (phoff - s.offset);
		p.seg[p.count++] = s;
	}
	if (!p.count)
		return no(why, LM_ERR_FORMAT, "no loadable segment");
	if (p.hi - p.lo > LINUX_ELF_SPAN)
		return no(why, LM_ERR_UNSUPPORTED, "the segments span more than 4 GiB");
	if (p.entry < p.lo || p.entry >= p.hi)
		return no(why, LM_ERR_FORMAT, "the entry point is outside the segments");
	*out = p;
	return LM_OK;
}
