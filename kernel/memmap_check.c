/*
 * The reference for memmap_check: one address at a time, straight from the
 * rules in memmap.h, with no sweep and no clipping shared with memmap.c.
 * Both the reference and the output are constant between consecutive
 * entry and range boundaries, so comparing them at every boundary compares
 * them everywhere.
 */
#include <stdarg.h>

#include "kernel/memmap_check.h"
#include "lib/fmt.h"

/* Does entry m claim address p? An available entry that runs past 2^64
 * claims nothing; any other claims everything from its base up. */
static bool claims(const struct boot_mem_range *m, uint64_t p)
{
	uint64_t last = m->base + (m->len - 1);

	if (!m->len || p < m->base)
		return false;
	if (last < m->base)
		return m->type != BOOT_MEM_RAM;
	return p <= last;
}

/* The type at p by the rules, 0 for a hole (an input type 0 is reserved). */
static uint32_t ref_type(const struct boot_mem_range *in, uint32_t n, uint64_t limit, uint64_t p)
{
	uint32_t type = 0;
	bool claimed = false;

	if (p >= limit)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (claims(&in[i], p) && (!claimed || memmap_rank(in[i].type) > memmap_rank(type))) {
			type = in[i].type;
			claimed = true;
		}
	if (!claimed)
		return 0;
	return memmap_rank(type) == 3 ? BOOT_MEM_RESERVED : type;
}

static uint32_t out_type(const struct memmap_range *out, uint32_t count, uint64_t p)
{
	for (uint32_t i = 0; i < count; i++)
		if (out[i].base <= p && p < out[i].end)
			return out[i].type;
	return 0;
}

__attribute__((format(printf, 3, 4))) static bool fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return false;
}

/* Compare at p, if p is below the part of the map the output covers. */
static bool same_at(const struct boot_mem_range *in, uint32_t n, uint64_t limit,
		    const struct memmap_range *out, uint32_t count, uint64_t upto, uint64_t p,
		    char *why, size_t size)
{
	uint32_t want, got;

	if (p >= upto)
		return true;
	want = ref_type(in, n, limit, p);
	got = out_type(out, count, p);
	if (want != got)
		return fail(why, size, "at 0x%llx the type is %u, should be %u",
			    (unsigned long long)p, got, want);
	return true;
}

bool memmap_check(const struct boot_mem_range *in, uint32_t n, uint64_t limit,
		  const struct memmap_range *out, uint32_t count, uint32_t cap, char *why,
		  size_t why_size)
{
	uint64_t upto = limit;

	if (count > cap)
		return fail(why, why_size, "%u ranges in %u slots", count, cap);
	for (uint32_t i = 0; i < count; i++) {
		const struct memmap_range *r = &out[i];

		if (r->base >= r->end || r->end > limit)
			return fail(why, why_size, "range %u is 0x%llx-0x%llx (limit 0x%llx)", i,
				    (unsigned long long)r->base, (unsigned long long)r->end,
				    (unsigned long long)limit);
		if (r->type < BOOT_MEM_RAM || r->type > BOOT_MEM_BAD)
			return fail(why, why_size, "range %u has type %u", i, r->type);
		if (i && out[i - 1].end > r->base)
			return fail(why, why_size, "ranges %u and %u overlap or are unsorted", i - 1, i);
		if (i && out[i - 1].end == r->base && out[i - 1].type == r->type)
			return fail(why, why_size, "ranges %u and %u touch and are not merged", i - 1, i);
	}
	/* The point of it all, checked on its own: nothing restricted is available. */
	for (uint32_t i = 0; i < n; i++) {
		const struct boot_mem_range *m = &in[i];

		if (m->type == BOOT_MEM_RAM || !m->len)
			continue;
		for (uint32_t j = 0; j < count; j++) {
			uint64_t last = m->base + (m->len - 1);

			if (last < m->base)
				last = UINT64_MAX;
			if (out[j].type == BOOT_MEM_RAM && out[j].base <= last && m->base < out[j].end)
				return fail(why, why_size, "available range %u includes part of %u "
					    "entry %u at 0x%llx", j, m->type, i,
					    (unsigned long long)m->base);
		}
	}
	if (count == cap)
		upto = count ? out[count - 1].end : 0;
	if (!same_at(in, n, limit, out, count, upto, 0, why, why_size))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		const struct boot_mem_range *m = &in[i];

		if (!same_at(in, n, limit, out, count, upto, m->base, why, why_size) ||
		    !same_at(in, n, limit, out, count, upto, m->base + m->len, why, why_size))
			return false;
	}
	for (uint32_t i = 0; i < count; i++)
		if (!same_at(in, n, limit, out, count, upto, out[i].base, why, why_size) ||
		    !same_at(in, n, limit, out, count, upto, out[i].end, why, why_size))
			return false;
	return true;
}
