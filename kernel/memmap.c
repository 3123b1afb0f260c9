/*
 * Resolving the boot loader's memory map (see memmap.h for the rules).
 *
 * Each entry is first clipped to [0, limit) (an available entry that wraps
 * past 2^64 is dropped whole). Then a sweep walks the address space from
 * one entry boundary (a base or an end) to the next: between two adjacent
 * boundaries every entry either covers the whole stretch or none of it, so
 * the stretch gets the most restrictive type among the entries covering
 * its first byte, or is a hole. Stretches that touch and share a type are
 * merged as they are written.
 */
#include <stdarg.h>
#include <stdbool.h>

#include "kernel/memmap.h"
#include "lib/fmt.h"

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_RAM:
		return "available";
	case BOOT_MEM_ACPI:
		return "ACPI tables";
	case BOOT_MEM_NVS:
		return "ACPI NVS";
	case BOOT_MEM_BAD:
		return "bad memory";
	default:
		return "reserved";
	}
}

unsigned memmap_rank(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_RAM:
		return 0;
	case BOOT_MEM_ACPI:
		return 1;
	case BOOT_MEM_NVS:
		return 2;
	case BOOT_MEM_BAD:
		return 4;
	default:
		return 3; /* BOOT_MEM_RESERVED and every type we do not know */
	}
}

static uint32_t normal_type(uint32_t type)
{
	return memmap_rank(type) == 3 ? BOOT_MEM_RESERVED : type;
}

struct warner {
	memmap_warn_fn *fn;
	void *ctx;
	uint32_t lines, unlisted;
};

__attribute__((format(printf, 2, 3))) static void warnf(struct warner *w, const char *fmt, ...)
{
	char msg[MEMMAP_WARN_MAX];
	va_list ap;

	if (!w->fn)
		return;
	if (w->lines == MEMMAP_WARN_LINES) {
		w->unlisted++;
		return;
	}
	w->lines++;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	w->fn(w->ctx, msg);
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* Does base + len run past 2^64? */
static bool wraps(const struct boot_mem_range *m)
{
	return m->len && m->base + (m->len - 1) < m->base;
}

/* Entry m clipped to [0, limit) as [*base, *end); false if nothing is left
 * of it (or it is an available entry that wraps). */
static bool clip_entry(const struct boot_mem_range *m, uint64_t limit, uint64_t *base,
		       uint64_t *end)
{
	uint64_t last;

	if (!m->len || m->base >= limit)
		return false;
	if (wraps(m)) {
		if (m->type == BOOT_MEM_RAM)
			return false;
		last = UINT64_MAX;
	} else {
		last = m->base + (m->len - 1);
	}
	*base = m->base;
	*end = last >= limit ? limit : last + 1;
	return true;
}

/* One line per entry that wraps or reaches past the limit, and per pair of
 * entries that overlap. */
static void report(const struct boot_mem_range *in, uint32_t n, uint64_t limit,
		   struct warner *w)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct boot_mem_range *m = &in[i];

		if (wraps(m))
			warnf(w, "%s at 0x%llx, 0x%llx bytes long, runs past the end of the "
			      "address space; %s", memmap_type_name(m->type), ull(m->base), ull(m->len),
			      m->type == BOOT_MEM_RAM ? "ignored" : "kept to the end");
		else if (m->type == BOOT_MEM_RAM && m->len && m->base + (m->len - 1) >= limit)
			warnf(w, "available 0x%llx-0x%llx reaches 0x%llx, where usable memory "
			      "ends; the part from there on is ignored", ull(m->base),
			      ull(m->base + (m->len - 1)), ull(limit));
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t bi, ei, bj, ej;

		if (!clip_entry(&in[i], limit, &bi, &ei))
			continue;
		for (uint32_t j = i + 1; j < n; j++) {
			unsigned ri = memmap_rank(in[i].type), rj = memmap_rank(in[j].type);

			if (!clip_entry(&in[j], limit, &bj, &ej) || bj >= ei || bi >= ej)
				continue;
			if (ri == rj)
				warnf(w, "0x%llx-0x%llx (%s) overlaps 0x%llx-0x%llx (%s); merged",
				      ull(bi), ull(ei - 1), memmap_type_name(in[i].type), ull(bj),
				      ull(ej - 1), memmap_type_name(in[j].type));
			else
				warnf(w, "0x%llx-0x%llx (%s) overlaps 0x%llx-0x%llx (%s); %s wins",
				      ull(bi), ull(ei - 1), memmap_type_name(in[i].type), ull(bj),
				      ull(ej - 1), memmap_type_name(in[j].type),
				      memmap_type_name(ri > rj ? in[i].type : in[j].type));
		}
	}
}

uint32_t memmap_clip(const struct boot_mem_range *in, uint32_t n, uint64_t limit,
		     struct memmap_range *out, uint32_t cap, memmap_warn_fn *warn, void *ctx)
{
	struct warner w = {warn, ctx, 0, 0};
	uint32_t count = 0;
	uint64_t pos = 0, b, e;
	bool started = false;

	report(in, n, limit, &w);
	/* The sweep starts at the lowest base. */
	for (uint32_t i = 0; i < n; i++)
		if (clip_entry(&in[i], limit, &b, &e) && (!started || b < pos)) {
			pos = b;
			started = true;
		}
	while (started) {
		uint64_t next = 0;
		bool have_next = false, covered = false;
		uint32_t type = 0;

		for (uint32_t i = 0; i < n; i++) {
			if (!clip_entry(&in[i], limit, &b, &e))
				continue;
			if (b > pos && (!have_next || b < next)) {
				next = b;
				have_next = true;
			}
			if (e > pos && (!have_next || e < next)) {
				next = e;
				have_next = true;
			}
			if (b <= pos && pos < e &&
			    (!covered || memmap_rank(in[i].type) > memmap_rank(type))) {
				type = in[i].type;
				covered = true;
			}
		}
		if (!have_next)
			break; /* pos is the end of the last entry */
		if (covered) {
			type = normal_type(type);
			if (count && out[count - 1].end == pos && out[count - 1].type == type) {
				out[count - 1].end = next;
			} else if (count == cap) {
				warnf(&w, "more than %u ranges; the map from 0x%llx on is ignored",
				      cap, ull(pos));
				break;
			} else {
				out[count++] = (struct memmap_range){pos, next, type};
			}
		}
		pos = next;
	}
	if (w.unlisted) {
		char msg[MEMMAP_WARN_MAX];

		fmt_snprintf(msg, sizeof msg, "%u more problems in the memory map not listed",
			     w.unlisted);
		warn(ctx, msg);
	}
	return count;
}
