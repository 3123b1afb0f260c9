/*
 * libFuzzer: memmap_clip on any memory map. The input is 8 bytes of limit
 * (0 stands for the kernel's, 2^46), 1 byte of output capacity (0 stands
 * for enough: MEMMAP_OUT_MAX), then 20-byte entries as Multiboot 2 gives
 * them (base, length, type; little-endian), at most BOOT_MEM_MAX of them.
 * Every result must pass memmap_check (sorted, non-overlapping, nothing
 * restricted available, the reference's type everywhere) and every warning
 * must be one non-empty line, at most MEMMAP_WARN_LINES + 1 of them;
 * anything else aborts. Seeds: kernel/fuzz-seeds/memmap, written by the
 * host test memmap.seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/memmap.h"
#include "kernel/memmap_check.h"

static unsigned warnings;

static void check_warning(void *ctx, const char *msg)
{
	size_t n = strnlen(msg, MEMMAP_WARN_MAX);

	if (n == 0 || n == MEMMAP_WARN_MAX || memchr(msg, '\n', n))
		abort();
	if (++warnings > MEMMAP_WARN_LINES + 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_mem_range in[BOOT_MEM_MAX];
	static struct memmap_range out[MEMMAP_OUT_MAX(BOOT_MEM_MAX)];
	uint64_t limit;
	uint32_t n = 0, cap, count;
	char why[160];

	if (size < 9)
		return 0;
	memcpy(&limit, data, 8);
	if (!limit)
		limit = 1ull << 46;
	for (size_t off = 9; off + 20 <= size && n < BOOT_MEM_MAX; off += 20, n++) {
		memcpy(&in[n].base, data + off, 8);
		memcpy(&in[n].len, data + off + 8, 8);
		memcpy(&in[n].type, data + off + 16, 4);
	}
	cap = data[8] ? data[8] : MEMMAP_OUT_MAX(n);
	if (cap > MEMMAP_OUT_MAX(BOOT_MEM_MAX))
		cap = MEMMAP_OUT_MAX(BOOT_MEM_MAX);
	warnings = 0;
	count = memmap_clip(in, n, limit, out, cap, check_warning, NULL);
	if (!memmap_check(in, n, limit, out, count, cap, why, sizeof why))
		abort();
	if (!data[8] && n && count == cap)
		abort(); /* MEMMAP_OUT_MAX(n) always suffices */
	return 0;
}
