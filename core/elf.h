/*
 * The program loader: places an ELF64 x86-64 position-independent
 * executable (ET_DYN, as sdk/program.ld links programs) at any free address
 * of the shared address space and relocates it, or, for an env that can
 * reserve at a given address (reserve_at: an address space of its own), an
 * executable at fixed addresses (ET_EXEC) at its own addresses. Portable:
 * the kernel and the hosted runtime supply memory through struct elf_env.
 *
 * Accepted: loadable segments in ascending, non-overlapping pages (at most
 * ELF_MAX_SEGMENTS, spanning at most ELF_MAX_SPAN), none both writable and
 * executable, p_align at most a page; at most one PT_DYNAMIC, whose only
 * relocations are R_X86_64_RELATIVE (and NONE) in DT_RELA. Refused: an
 * interpreter, thread-local storage, shared libraries, DT_REL, DT_RELR and
 * PLT relocations. docs/archive-elf.md lists every check.
 *
 * Everything is validated before anything is reserved or written; the file
 * is only read (any alignment) and never trusted. No allocation, no global
 * state: calls may run concurrently if the env's callbacks allow it.
 */
#ifndef CORE_ELF_H
#define CORE_ELF_H

#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

enum { ELF_PROT_READ = 1, ELF_PROT_WRITE = 2, ELF_PROT_EXEC = 4 };

#define ELF_PAGE_SIZE 4096
#define ELF_MAX_SEGMENTS 8
#define ELF_MAX_SPAN (1ULL << 30)

struct elf_env {
	void *ctx;
	/* Reserve size bytes (a multiple of ELF_PAGE_SIZE) of free address
	 * space, mapped readable and writable and zero-filled; *base is page
	 * aligned. LM_ERR_NOMEM / LM_ERR_NOSPACE on failure. */
	enum lm_err (*reserve)(void *ctx, uint64_t size, uint64_t *base);
	/* Give [addr, addr + len) (page aligned, inside the reservation) its
	 * final protection, a combination of ELF_PROT_*. Called once per
	 * segment, after every byte is written. */
	enum lm_err (*protect)(void *ctx, uint64_t addr, uint64_t len, unsigned prot);
	/* Give back the whole reservation after a later step failed. */
	void (*release)(void *ctx, uint64_t base, uint64_t size);
	/* Optional: write len bytes from src at addr (inside the reservation)
	 * for a reservation the caller cannot write directly (another address
	 * space's). NULL: the loader writes at the addresses themselves. */
	void (*store)(void *ctx, uint64_t addr, const void *src, uint64_t len);
	/* Optional: reserve, as reserve does, exactly [base, base + size)
	 * (page aligned) for an ET_EXEC image, which runs only there; an error
	 * (LM_ERR_RANGE outside what the env places, LM_ERR_EXIST over
	 * something, ...) refuses the image. NULL: ET_EXEC is refused
	 * (LM_ERR_UNSUPPORTED), as in the shared address space. */
	enum lm_err (*reserve_at)(void *ctx, uint64_t base, uint64_t size);
};

/* A loaded segment: its pages (absolute addresses) and protection. */
struct elf_segment {
	uint64_t addr, len;
	unsigned prot;
};

struct elf_image {
	uint64_t base, size; /* the reservation */
	uint64_t entry;
	uint32_t segment_count;
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/*
 * Check, place, copy, relocate and protect the file_size-byte ELF file.
 * Returns LM_OK with *out filled; the caller owns the reservation
 * (out->base, out->size). Otherwise *out is zeroed, nothing stays reserved
 * (release is called once if reserve succeeded) and detail gets one line
 * naming the field and the values that were wrong ("segment 2: file range
 * 0x1000+0x2000 runs past the end of the 0x1800-byte file"):
 *   LM_ERR_FORMAT       malformed
 *   LM_ERR_UNSUPPORTED  a valid ELF file this loader does not run
 *   LM_ERR_NOMEM, LM_ERR_NOSPACE, ...  from reserve or protect
 * detail may be NULL when detail_len is 0.
 */
enum lm_err elf_load(const void *file, size_t file_size, const struct elf_env *env,
		     struct elf_image *out, char *detail, size_t detail_len);

#endif
