/*
 * The ELF64 program loader (rules in elf.h, checks in docs/archive-elf.md).
 *
 * Two phases. First the file is checked in full and a plan made: the
 * loadable segments, the span of pages they cover and where the relocation
 * table lies in the file; every relocation is checked too. Only then is
 * memory reserved, the file bytes copied, the relocations applied and the
 * protections set, so that a bad file never costs a reservation and a
 * failure after the reservation always releases it.
 *
 * Fields are read byte by byte (little endian) as the file may sit at any
 * alignment, e.g. inside the boot archive. Virtual addresses are limited to
 * VADDR_LIMIT, so sums of two of them, rounded up to a page, cannot wrap.
 */
#include <stdarg.h>

#include "core/elf.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define DYN_SIZE 16
#define RELA_SIZE 24
#define PAGE_MASK ((uint64_t)ELF_PAGE_SIZE - 1)
#define VADDR_LIMIT (1ULL << 47)

enum { ET_EXEC = 2, ET_DYN = 3 };
enum { PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_TLS = 7 };
enum { PF_X = 1, PF_W = 2, PF_R = 4 };
enum {
	DT_NULL = 0, DT_NEEDED = 1, DT_PLTRELSZ = 2, DT_RELA = 7, DT_RELASZ = 8,
	DT_RELAENT = 9, DT_REL = 17, DT_RELSZ = 18, DT_JMPREL = 23, DT_RELRSZ = 35,
	DT_RELR = 36,
};
enum { R_X86_64_NONE = 0, R_X86_64_RELATIVE = 8 };

struct load {
	uint64_t vaddr, memsz, offset, filesz;
	unsigned prot;
};

struct plan {
	const uint8_t *file;
	size_t size;
	const struct elf_env *env;
	int fixed;              /* ET_EXEC: placed at its own addresses */
	char *detail;
	size_t detail_len;
	struct load loads[ELF_MAX_SEGMENTS];
	uint32_t nload;
	uint64_t lo, hi;        /* page-rounded span of the loads' addresses */
	uint64_t entry;
	int has_dynamic;
	uint32_t dyn_index;
	uint64_t dyn_vaddr, dyn_offset, dyn_filesz;
	uint64_t rela_offset;   /* in the file */
	uint64_t rela_count;
};

static uint64_t rd(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static uint64_t page_down(uint64_t x)
{
	return x & ~PAGE_MASK;
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_MASK) & ~PAGE_MASK;
}

__attribute__((format(printf, 3, 4)))
static enum lm_err fail(struct plan *p, enum lm_err err, const char *fmt, ...)
{
	va_list ap;

	if (p->detail_len) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->detail, p->detail_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

static enum lm_err check_header(struct plan *p, uint64_t *phoff, uint32_t *phnum)
{
	const uint8_t *f = p->file;
	unsigned type, machine;

	if (p->size < EHDR_SIZE)
		return fail(p, LM_ERR_FORMAT, "file is %zu bytes, shorter than the 64-byte ELF header",
			    p->size);
	if (memcmp(f, "\177ELF", 4))
		return fail(p, LM_ERR_FORMAT, "e_ident: bad magic, not an ELF file");
	if (f[4] == 1)
		return fail(p, LM_ERR_UNSUPPORTED, "e_ident[EI_CLASS] 1: 32-bit ELF, need ELFCLASS64");
	if (f[4] != 2)
		return fail(p, LM_ERR_FORMAT, "e_ident[EI_CLASS] %u is not a valid class", f[4]);
	if (f[5] == 2)
		return fail(p, LM_ERR_UNSUPPORTED, "e_ident[EI_DATA] 2: big-endian, need little-endian");
	if (f[5] != 1)
		return fail(p, LM_ERR_FORMAT, "e_ident[EI_DATA] %u is not a valid encoding", f[5]);
	if (f[6] != 1 || rd(f + 20, 4) != 1)
		return fail(p, LM_ERR_FORMAT, "ELF version %u/%u, expected 1 (e_ident[EI_VERSION]/e_version)",
			    f[6], (unsigned)rd(f + 20, 4));
	machine = (unsigned)rd(f + 18, 2);
	if (machine != 62)
		return fail(p, LM_ERR_UNSUPPORTED, "e_machine %u is not EM_X86_64 (62)", machine);
	type = (unsigned)rd(f + 16, 2);
	if (type == ET_EXEC && !p->env->reserve_at)
		return fail(p, LM_ERR_UNSUPPORTED,
			    "e_type 2 (ET_EXEC): fixed addresses, and this loader places position-independent executables only");
	if (type != ET_EXEC && type != ET_DYN)
		return fail(p, LM_ERR_UNSUPPORTED,
			    "e_type %u is not ET_DYN (3) or ET_EXEC (2): not an executable", type);
	p->fixed = type == ET_EXEC;
	if (rd(f + 54, 2) != PHDR_SIZE)
		return fail(p, LM_ERR_FORMAT, "e_phentsize %u, expected 56",
			    (unsigned)rd(f + 54, 2));
	p->entry = rd(f + 24, 8);
	*phoff = rd(f + 32, 8);
	*phnum = (uint32_t)rd(f + 56, 2);
	if (*phnum == 0)
		return fail(p, LM_ERR_FORMAT, "e_phnum 0: no program headers");
	if (*phnum == 0xffff)
		return fail(p, LM_ERR_UNSUPPORTED, "e_phnum 0xffff: extended numbering is not supported");
	if (*phoff > p->size || (uint64_t)*phnum * PHDR_SIZE > p->size - *phoff)
		return fail(p, LM_ERR_FORMAT,
			    "program header table (e_phoff 0x%lx, e_phnum %u) runs past the end of the 0x%zx-byte file",
			    *phoff, *phnum, p->size);
	return LM_OK;
}

static enum lm_err check_load(struct plan *p, uint32_t i, const uint8_t *ph)
{
	uint32_t flags = (uint32_t)rd(ph + 4, 4);
	uint64_t offset = rd(ph + 8, 8), vaddr = rd(ph + 16, 8);
	uint64_t filesz = rd(ph + 32, 8), memsz = rd(ph + 40, 8), align = rd(ph + 48, 8);
	struct load *l;

	if (filesz > memsz)
		return fail(p, LM_ERR_FORMAT, "segment %u: p_filesz 0x%lx exceeds p_memsz 0x%lx", i,
			    filesz, memsz);
	if (!memsz)
		return LM_OK; /* nothing to place */
	if (align > ELF_PAGE_SIZE)
		return fail(p, LM_ERR_UNSUPPORTED, "segment %u: p_align 0x%lx is larger than a page (0x%x)",
			    i, align, ELF_PAGE_SIZE);
	if (align > 1 && ((vaddr - offset) & (align - 1)))
		return fail(p, LM_ERR_FORMAT,
			    "segment %u: p_vaddr 0x%lx and p_offset 0x%lx differ modulo p_align 0x%lx", i,
			    vaddr, offset, align);
	if (vaddr >= VADDR_LIMIT || memsz > VADDR_LIMIT - vaddr)
		return fail(p, LM_ERR_FORMAT, "segment %u: p_vaddr 0x%lx + p_memsz 0x%lx is out of range",
			    i, vaddr, memsz);
	if ((flags & PF_W) && (flags & PF_X))
		return fail(p, LM_ERR_UNSUPPORTED, "segment %u: writable and executable (p_flags 0x%x)",
			    i, flags);
	if (p->nload) {
		l = &p->loads[p->nload - 1];
		if (page_down(vaddr) < page_up(l->vaddr + l->memsz))
			return fail(p, LM_ERR_FORMAT,
				    "segment %u: p_vaddr 0x%lx overlaps or precedes the pages of the previous loadable segment (up to 0x%lx)",
				    i, vaddr, page_up(l->vaddr + l->memsz));
	}
	if (p->nload == ELF_MAX_SEGMENTS)
		return fail(p, LM_ERR_UNSUPPORTED, "segment %u: more than %d loadable segments", i,
			    ELF_MAX_SEGMENTS);
	l = &p->loads[p->nload++];
	l->vaddr = vaddr;
	l->memsz = memsz;
	l->offset = offset;
	l->filesz = filesz;
	l->prot = (flags & PF_R ? ELF_PROT_READ : 0) | (flags & PF_W ? ELF_PROT_WRITE : 0) |
		  (flags & PF_X ? ELF_PROT_EXEC : 0);
	return LM_OK;
}

static enum lm_err check_segments(struct plan *p, uint64_t phoff, uint32_t phnum)
{
	enum lm_err err;

	for (uint32_t i = 0; i < phnum; i++) {
		const uint8_t *ph = p->file + phoff + (uint64_t)i * PHDR_SIZE;
		uint32_t type = (uint32_t)rd(ph, 4);
		uint64_t offset = rd(ph + 8, 8), filesz = rd(ph + 32, 8), align = rd(ph + 48, 8);

		if (filesz && (offset > p->size || filesz > p->size - offset))
			return fail(p, LM_ERR_FORMAT,
				    "segment %u: file range 0x%lx+0x%lx runs past the end of the 0x%zx-byte file",
				    i, offset, filesz, p->size);
		if (align & (align - 1))
			return fail(p, LM_ERR_FORMAT, "segment %u: p_align 0x%lx is not a power of two", i,
				    align);
		if (type == PT_INTERP)
			return fail(p, LM_ERR_UNSUPPORTED, "segment %u: PT_INTERP: needs a dynamic linker", i);
		if (type == PT_TLS)
			return fail(p, LM_ERR_UNSUPPORTED,
				    "segment %u: PT_TLS: thread-local storage is not supported", i);
		if (type == PT_DYNAMIC) {
			if (p->has_dynamic)
				return fail(p, LM_ERR_FORMAT, "segment %u: a second PT_DYNAMIC", i);
			p->has_dynamic = 1;
			p->dyn_index = i;
			p->dyn_vaddr = rd(ph + 16, 8);
			p->dyn_offset = offset;
			p->dyn_filesz = filesz;
		}
		if (type == PT_LOAD && (err = check_load(p, i, ph)))
			return err;
	}
	if (!p->nload)
		return fail(p, LM_ERR_FORMAT, "no loadable segment (PT_LOAD)");
	p->lo = page_down(p->loads[0].vaddr);
	p->hi = page_up(p->loads[p->nload - 1].vaddr + p->loads[p->nload - 1].memsz);
	if (p->hi - p->lo > ELF_MAX_SPAN)
		return fail(p, LM_ERR_UNSUPPORTED,
			    "loadable segments span 0x%lx bytes, more than 1 GiB", p->hi - p->lo);
	for (uint32_t i = 0; i < p->nload; i++) {
		const struct load *l = &p->loads[i];
		if ((l->prot & ELF_PROT_EXEC) && p->entry >= l->vaddr &&
		    p->entry - l->vaddr < l->memsz)
			return LM_OK;
	}
	return fail(p, LM_ERR_FORMAT, "e_entry 0x%lx is not inside an executable segment", p->entry);
}

/* The file offset of [vaddr, vaddr + len) when a load's file bytes hold it. */
static int file_backed(const struct plan *p, uint64_t vaddr, uint64_t len, uint64_t *offset)
{
	for (uint32_t i = 0; i < p->nload; i++) {
		const struct load *l = &p->loads[i];
		if (vaddr >= l->vaddr && vaddr - l->vaddr <= l->filesz &&
		    len <= l->filesz - (vaddr - l->vaddr)) {
			*offset = l->offset + (vaddr - l->vaddr);
			return 1;
		}
	}
	return 0;
}

/* Does a writable load's memory hold [vaddr, vaddr + len)? */
static int writable(const struct plan *p, uint64_t vaddr, uint64_t len)
{
	for (uint32_t i = 0; i < p->nload; i++) {
		const struct load *l = &p->loads[i];
		if ((l->prot & ELF_PROT_WRITE) && vaddr >= l->vaddr && vaddr - l->vaddr <= l->memsz &&
		    len <= l->memsz - (vaddr - l->vaddr))
			return 1;
	}
	return 0;
}

/* Walk the dynamic table; the relocation table's place goes in the plan. */
static enum lm_err check_dynamic(struct plan *p)
{
	uint64_t offset, rela = 0, relasz = 0, relaent = 0;
	int have_rela = 0, have_relaent = 0, terminated = 0;

	if (!p->has_dynamic)
		return LM_OK;
	if (!file_backed(p, p->dyn_vaddr, p->dyn_filesz, &offset))
		return fail(p, LM_ERR_FORMAT,
			    "segment %u: PT_DYNAMIC 0x%lx+0x%lx is not inside a loaded segment's file bytes",
			    p->dyn_index, p->dyn_vaddr, p->dyn_filesz);
	if (offset != p->dyn_offset)
		return fail(p, LM_ERR_FORMAT,
			    "segment %u: PT_DYNAMIC p_offset 0x%lx disagrees with its loaded segment (0x%lx)",
			    p->dyn_index, p->dyn_offset, offset);
	for (uint64_t i = 0; i < p->dyn_filesz / DYN_SIZE && !terminated; i++) {
		const uint8_t *d = p->file + offset + i * DYN_SIZE;
		uint64_t tag = rd(d, 8), val = rd(d + 8, 8);

		switch (tag) {
		case DT_NULL:
			terminated = 1;
			break;
		case DT_NEEDED:
			return fail(p, LM_ERR_UNSUPPORTED, "dynamic entry %lu: DT_NEEDED: needs a shared library", i);
		case DT_PLTRELSZ:
		case DT_JMPREL:
			if (val)
				return fail(p, LM_ERR_UNSUPPORTED,
					    "dynamic entry %lu: DT_JMPREL/DT_PLTRELSZ: PLT relocations are not supported", i);
			break;
		case DT_REL:
		case DT_RELSZ:
			if (val)
				return fail(p, LM_ERR_UNSUPPORTED,
					    "dynamic entry %lu: DT_REL: only DT_RELA relocations are supported", i);
			break;
		case DT_RELR:
		case DT_RELRSZ:
			if (val)
				return fail(p, LM_ERR_UNSUPPORTED,
					    "dynamic entry %lu: DT_RELR: packed relocations are not supported", i);
			break;
		case DT_RELA:
			rela = val;
			have_rela = 1;
			break;
		case DT_RELASZ:
			relasz = val;
			break;
		case DT_RELAENT:
			relaent = val;
			have_relaent = 1;
			break;
		}
	}
	if (!terminated)
		return fail(p, LM_ERR_FORMAT, "PT_DYNAMIC has no DT_NULL entry in its 0x%lx bytes",
			    p->dyn_filesz);
	if (!relasz)
		return LM_OK;
	if (!have_rela)
		return fail(p, LM_ERR_FORMAT, "DT_RELASZ 0x%lx without DT_RELA", relasz);
	if (!have_relaent || relaent != RELA_SIZE)
		return fail(p, LM_ERR_FORMAT, "DT_RELAENT %lu%s, expected 24", relaent,
			    have_relaent ? "" : " (missing)");
	if (relasz % RELA_SIZE)
		return fail(p, LM_ERR_FORMAT, "DT_RELASZ 0x%lx is not a multiple of 24", relasz);
	if (!file_backed(p, rela, relasz, &p->rela_offset))
		return fail(p, LM_ERR_FORMAT,
			    "DT_RELA table 0x%lx+0x%lx is not inside a loaded segment's file bytes", rela,
			    relasz);
	p->rela_count = relasz / RELA_SIZE;
	return LM_OK;
}

static const char *reloc_name(uint32_t type)
{
	static const char *const names[] = {
		[1] = "R_X86_64_64", [2] = "R_X86_64_PC32", [3] = "R_X86_64_GOT32",
		[4] = "R_X86_64_PLT32", [5] = "R_X86_64_COPY", [6] = "R_X86_64_GLOB_DAT",
		[7] = "R_X86_64_JUMP_SLOT", [9] = "R_X86_64_GOTPCREL", [10] = "R_X86_64_32",
		[11] = "R_X86_64_32S", [16] = "R_X86_64_DTPMOD64", [17] = "R_X86_64_DTPOFF64",
		[18] = "R_X86_64_TPOFF64", [37] = "R_X86_64_IRELATIVE",
	};

	if (type < sizeof names / sizeof names[0] && names[type])
		return names[type];
	return "unknown";
}

/* Write len bytes at addr: through env's store if it has one. */
static void put(const struct elf_env *env, uint64_t addr, const void *src, uint64_t len)
{
	if (env->store)
		env->store(env->ctx, addr, src, len);
	else
		memcpy((void *)(uintptr_t)addr, src, len);
}

/* Check every relocation (env NULL), or apply them at bias through env. */
static enum lm_err relocate(struct plan *p, uint64_t bias, const struct elf_env *env)
{
	for (uint64_t i = 0; i < p->rela_count; i++) {
		const uint8_t *r = p->file + p->rela_offset + i * RELA_SIZE;
		uint64_t where = rd(r, 8), info = rd(r + 8, 8), value = bias + rd(r + 16, 8);
		uint32_t type = (uint32_t)info, sym = (uint32_t)(info >> 32);

		if (type == R_X86_64_NONE)
			continue;
		if (env) {
			put(env, bias + where, &value, 8);
			continue;
		}
		if (type != R_X86_64_RELATIVE)
			return fail(p, LM_ERR_UNSUPPORTED,
				    "relocation %lu: type %u (%s) is not supported, only R_X86_64_RELATIVE",
				    i, type, reloc_name(type));
		if (sym)
			return fail(p, LM_ERR_FORMAT, "relocation %lu: R_X86_64_RELATIVE with symbol %u", i,
				    sym);
		if (!writable(p, where, 8))
			return fail(p, LM_ERR_FORMAT,
				    "relocation %lu: target 0x%lx is not inside a writable segment", i, where);
	}
	return LM_OK;
}

/* Reserve, copy, relocate, protect: the plan is known good. An ET_EXEC
 * image goes at its own addresses (bias 0), a position-independent one
 * wherever reserve puts it. */
static enum lm_err place(struct plan *p, const struct elf_env *env, struct elf_image *out)
{
	uint64_t span = p->hi - p->lo, base = p->lo, bias;
	enum lm_err err;

	if (p->fixed) {
		if ((err = env->reserve_at(env->ctx, base, span)))
			return fail(p, err,
				    "cannot reserve 0x%lx+0x%lx for the fixed-address (ET_EXEC) image: %s",
				    base, span, lm_err_str(err));
	} else if ((err = env->reserve(env->ctx, span, &base))) {
		return fail(p, err, "cannot reserve 0x%lx bytes for the image: %s", span,
			    lm_err_str(err));
	}
	if ((base & PAGE_MASK) || base + span < base) {
		env->release(env->ctx, base, span);
		return fail(p, LM_ERR_INVAL, "reserve gave a bad base 0x%lx", base);
	}
	bias = base - p->lo;
	for (uint32_t i = 0; i < p->nload; i++) {
		const struct load *l = &p->loads[i];
		put(env, bias + l->vaddr, p->file + l->offset, l->filesz);
	}
	relocate(p, bias, env);
	for (uint32_t i = 0; i < p->nload; i++) {
		const struct load *l = &p->loads[i];
		struct elf_segment *s = &out->segments[i];

		s->addr = bias + page_down(l->vaddr);
		s->len = page_up(l->vaddr + l->memsz) - page_down(l->vaddr);
		s->prot = l->prot;
		err = env->protect(env->ctx, s->addr, s->len, s->prot);
		if (err) {
			/* Say which pages before clearing out, which s points into. */
			fail(p, err, "protecting segment pages 0x%lx+0x%lx: %s", s->addr, s->len,
			     lm_err_str(err));
			env->release(env->ctx, base, span);
			memset(out, 0, sizeof *out);
			return err;
		}
	}
	out->base = base;
	out->size = span;
	out->entry = bias + p->entry;
	out->segment_count = p->nload;
	return LM_OK;
}

enum lm_err elf_load(const void *file, size_t file_size, const struct elf_env *env,
		     struct elf_image *out, char *detail, size_t detail_len)
{
	struct plan p;
	uint64_t phoff = 0;
	uint32_t phnum = 0;
	enum lm_err err;

	memset(&p, 0, sizeof p);
	memset(out, 0, sizeof *out);
	p.file = file;
	p.size = file_size;
	p.env = env;
	p.detail = detail;
	p.detail_len = detail_len;
	if (detail_len)
		detail[0] = 0;
	if ((err = check_header(&p, &phoff, &phnum)) || (err = check_segments(&p, phoff, phnum)) ||
	    (err = check_dynamic(&p)) || (err = relocate(&p, 0, NULL)))
		return err;
	return place(&p, env, out);
}
