/* libFuzzer: any bytes through elf_load, with memory from a fixed 16 MiB
 * buffer (a reservation beyond it fails), written through the store hook at
 * the reservation's addresses: anywhere for a position-independent image,
 * its own for ET_EXEC (reserve_at; below 64 KiB refused). The loader must
 * stay inside its reservation, protect only inside it, release it exactly
 * once on failure, and on success describe an image that makes sense. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"

#define ARENA_SIZE (16u << 20)

static uint8_t arena[ARENA_SIZE] __attribute__((aligned(4096)));

struct fuzz_env {
	uint64_t base, size;
	uint8_t *host;   /* where base is in the arena */
	int reserved, protects;
	uint64_t shift;  /* where in the arena this input's image goes */
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static enum lm_err fuzz_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct fuzz_env *f = ctx;

	check(!f->reserved && size && size % 4096 == 0);
	if (size > ARENA_SIZE)
		return LM_ERR_NOSPACE;
	if (size > ARENA_SIZE - f->shift)
		f->shift = 0;
	memset(arena + f->shift, 0, size);
	f->host = arena + f->shift;
	f->base = *base = (uint64_t)(uintptr_t)f->host;
	f->size = size;
	f->reserved = 1;
	return LM_OK;
}

static enum lm_err fuzz_reserve_at(void *ctx, uint64_t base, uint64_t size)
{
	struct fuzz_env *f = ctx;

	check(!f->reserved && size && size % 4096 == 0 && base % 4096 == 0);
	if (base < 0x10000)
		return LM_ERR_RANGE;
	if (size > ARENA_SIZE)
		return LM_ERR_NOSPACE;
	memset(arena, 0, size);
	f->host = arena;
	f->base = base;
	f->size = size;
	f->reserved = 1;
	return LM_OK;
}

static void fuzz_store(void *ctx, uint64_t addr, const void *src, uint64_t len)
{
	struct fuzz_env *f = ctx;

	check(f->reserved && addr >= f->base && len <= f->size && addr - f->base <= f->size - len);
	memcpy(f->host + (addr - f->base), src, len);
}

static enum lm_err fuzz_protect(void *ctx, uint64_t addr, uint64_t len, unsigned prot)
{
	struct fuzz_env *f = ctx;

	check(f->reserved && addr % 4096 == 0 && len % 4096 == 0 && len);
	check(addr >= f->base && len <= f->size && addr - f->base <= f->size - len);
	check(!((prot & ELF_PROT_WRITE) && (prot & ELF_PROT_EXEC)));
	check(prot <= 7);
	f->protects++;
	return LM_OK;
}

static void fuzz_release(void *ctx, uint64_t base, uint64_t size)
{
	struct fuzz_env *f = ctx;

	check(f->reserved && base == f->base && size == f->size);
	f->reserved = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_env f = {.shift = (size % 5) * 4096};
	struct elf_env env = {&f, fuzz_reserve, fuzz_protect, fuzz_release, fuzz_store,
			      fuzz_reserve_at};
	struct elf_image im;
	char detail[160];
	enum lm_err err = elf_load(data, size, &env, &im, detail, sizeof detail);

	check(strlen(detail) < sizeof detail);
	if (err) {
		check(!f.reserved);
		check(detail[0]);
		check(im.base == 0 && im.segment_count == 0);
		return 0;
	}
	check(f.reserved && im.base == f.base && im.size == f.size);
	check(im.size <= ELF_MAX_SPAN && im.segment_count >= 1);
	check(im.segment_count <= ELF_MAX_SEGMENTS);
	check(f.protects == (int)im.segment_count);
	{
		int entry_ok = 0;
		uint64_t prev_end = im.base;

		for (uint32_t i = 0; i < im.segment_count; i++) {
			const struct elf_segment *s = &im.segments[i];
			check(s->addr >= prev_end && s->len && s->addr + s->len <= im.base + im.size);
			prev_end = s->addr + s->len;
			if ((s->prot & ELF_PROT_EXEC) && im.entry >= s->addr &&
			    im.entry < s->addr + s->len)
				entry_ok = 1;
		}
		check(entry_ok);
		check(im.segments[0].addr == im.base && prev_end == im.base + im.size);
	}
	return 0;
}
