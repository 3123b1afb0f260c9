/*
 * libFuzzer: the ACPI parser on any memory image. The input is mapped at
 * physical 0xe0000 and read() grants exactly [0xe0000, 0xe0000 + size).
 *
 * Each input is parsed three ways:
 *  - as found: acpi_find_rsdp over the BIOS area, then acpi_parse;
 *  - with its checksums made right (the RSDP at 0xe0000 and every table the
 *    RSDT and XSDT point to inside the image), then acpi_parse at 0xe0000,
 *    since random bytes almost never pass a checksum and the table bodies
 *    would otherwise go unexplored;
 *  - the same fixed image through acpi_parse_rsdp_copy, with its first bytes
 *    as the copy: 20 of them for an odd-sized input (Multiboot 2's old-RSDP
 *    tag), up to 36 for an even-sized one (the new-RSDP tag).
 * Every result must be consistent (counts within bounds, no duplicate APIC
 * ids, sane bus ranges, terminated strings) and every warning one non-empty
 * line; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/acpi.h"

#define IMAGE_BASE 0xe0000u

struct image {
	const uint8_t *bytes;
	size_t size;
};

static bool image_read(void *ctx, uint64_t phys, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (phys < IMAGE_BASE)
		return false;
	phys -= IMAGE_BASE;
	if (phys > im->size || len > im->size - phys)
		return false;
	memcpy(buf, im->bytes + phys, len);
	return true;
}

static void check_warning(void *ctx, const char *msg)
{
	size_t n = strnlen(msg, ACPI_WARN_MAX);

	if (n == 0 || n == ACPI_WARN_MAX || memchr(msg, '\n', n))
		abort();
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static void check_info(const struct acpi_info *in)
{
	if (in->cpu_count > ACPI_MAX_CPUS || in->ioapic_count > ACPI_MAX_IOAPICS ||
	    in->override_count > ACPI_MAX_OVERRIDES || in->mcfg_count > ACPI_MAX_MCFG ||
	    in->table_count > ACPI_MAX_TABLES)
		abort();
	if (!in->have_madt && (in->cpu_count || in->ioapic_count || in->override_count))
		abort();
	for (uint32_t i = 0; i < in->cpu_count; i++) {
		if (!in->cpus[i].enabled && !in->cpus[i].online_capable)
			abort();
		for (uint32_t j = 0; j < i; j++)
			if (in->cpus[i].apic_id == in->cpus[j].apic_id)
				abort();
	}
	for (uint32_t i = 0; i < in->mcfg_count; i++)
		if (in->mcfg[i].bus_start > in->mcfg[i].bus_end)
			abort();
	if (in->have_hpet && !in->hpet_address)
		abort();
	if (!terminated(in->oem_id, sizeof in->oem_id))
		abort();
	for (uint32_t i = 0; i < in->table_count; i++)
		if (!terminated(in->tables[i], 5) || strlen(in->tables[i]) != 4)
			abort();
}

/* --------------------------------------------- making checksums right */

static uint64_t get(const uint8_t *img, size_t size, size_t off, unsigned bytes)
{
	uint64_t v = 0;

	if (off > size || bytes > size - off)
		return 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)img[off + i] << 8 * i;
	return v;
}

/* Make [off, off + len) of the image sum to 0 through the byte at off + at. */
static void fix_sum(uint8_t *img, size_t size, size_t off, size_t len, size_t at)
{
	uint8_t s = 0;

	if (off > size || len > size - off || at >= len)
		return;
	img[off + at] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + img[off + i]);
	img[off + at] = (uint8_t)-s;
}

/* Fix the table at phys if its header and claimed length lie in the image;
 * returns its length, 0 if not. */
static size_t fix_table(uint8_t *img, size_t size, uint64_t phys)
{
	size_t off, len;

	if (phys < IMAGE_BASE || phys - IMAGE_BASE > size)
		return 0;
	off = (size_t)(phys - IMAGE_BASE);
	len = (size_t)get(img, size, off + 4, 4);
	if (len < 36 || len > size - off)
		return 0;
	fix_sum(img, size, off, len, 9);
	return len;
}

/* The tables a root table lists first, then the root itself. Overlapping
 * tables may spoil each other's sums: best effort is enough here. */
static void fix_root(uint8_t *img, size_t size, uint64_t phys, unsigned entry)
{
	size_t len = fix_table(img, size, phys), off;

	if (!len)
		return;
	off = (size_t)(phys - IMAGE_BASE);
	for (size_t e = 36; e + entry <= len && e < 36 + 64 * entry; e += entry)
		fix_table(img, size, get(img, size, off + e, entry));
	fix_table(img, size, phys);
}

static void fix_all(uint8_t *img, size_t size)
{
	uint64_t len;

	if (size < 20 || memcmp(img, "RSD PTR ", 8))
		return;
	fix_root(img, size, get(img, size, 16, 4), 4);
	if (img[15] >= 2 && size >= 36) {
		fix_root(img, size, get(img, size, 24, 8), 8);
		fix_sum(img, size, 0, 20, 8);
		len = get(img, size, 20, 4);
		if (len >= 36 && len <= size)
			fix_sum(img, size, 0, (size_t)len, 32);
	} else {
		fix_sum(img, size, 0, 20, 8);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info;
	struct image im = {data, size};
	uint8_t *fixed;
	uint64_t phys;
	size_t copy_len;

	{
		uint8_t a, b; /* the \_S5 scan over the same bytes: in bounds (ASan) */

		acpi_s5_find(data, size, &a, &b);
	}
	if (acpi_find_rsdp(image_read, &im, &phys) == LM_OK) {
		if (phys < IMAGE_BASE || phys - IMAGE_BASE >= size || (phys & 15))
			abort();
		if (acpi_parse(image_read, check_warning, &im, phys, &info) != LM_OK)
			abort();   /* what acpi_find_rsdp accepts, acpi_parse must */
		check_info(&info);
	}

	fixed = malloc(size ? size : 1);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	fix_all(fixed, size);
	im.bytes = fixed;
	if (acpi_parse(image_read, check_warning, &im, IMAGE_BASE, &info) == LM_OK) {
		check_info(&info);
		if (info.rsdp_phys != IMAGE_BASE)
			abort();
	}

	copy_len = size & 1 ? 20 : 36;
	if (copy_len > size)
		copy_len = size;
	if (acpi_parse_rsdp_copy(image_read, check_warning, &im, fixed, copy_len, &info) == LM_OK) {
		check_info(&info);
		if (info.rsdp_phys)
			abort();
	}
	free(fixed);
	return 0;
}
