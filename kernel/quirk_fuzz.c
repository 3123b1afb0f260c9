/* libFuzzer: a quirk's header (kernel/quirk.c) and SMBIOS data
 * (kernel/smbios.c) are outside input. Any bytes: the header either parses
 * into fields within their bounds or gets an error positioned inside the
 * text; matching against facts made from the same bytes ends and stays in
 * bounds; the SMBIOS readers never read past the buffer (ASan) and give
 * NUL-terminated printable strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/quirk.h"
#include "kernel/smbios.h"

static void check_text(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort(); /* not terminated */
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void header(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct quirk_header h;
	struct quirk_error err;
	struct quirk_facts f;
	char why[64];
	uint32_t lines = 1;

	memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	if (quirk_parse(text, size, &h, &err) == LM_OK) {
		if (h.stage >= STAGE_COUNT || !h.nmatch || h.nmatch > QUIRK_MATCH_MAX)
			abort();
		check_text(h.about, sizeof h.about);
		for (uint32_t i = 0; i < h.nmatch; i++) {
			if (h.match[i].key >= QUIRK_KEY_COUNT)
				abort();
			check_text(h.match[i].text, sizeof h.match[i].text);
		}
		/* Facts from the same bytes: every text a NUL-terminated cut. */
		memset(&f, 0, sizeof f);
		f.ntables = size % (QUIRK_FACTS_TABLES + 1);
		for (uint32_t i = 0; i < f.ntables; i++) {
			memcpy(f.acpi_oem[i], h.match[0].text, 6);
			memcpy(f.acpi_table[i], h.match[0].text, 8);
		}
		memcpy(f.smbios_product, h.match[0].text, sizeof f.smbios_product);
		memcpy(f.smbios_vendor, h.about, sizeof f.smbios_vendor - 1);
		memcpy(f.hypervisor, h.match[0].text, 12);
		f.npci = 1;
		f.pci[0] = h.match[0].number;
		f.cpu_family = f.cpu_model = h.match[0].number;
		quirk_matches(&h, &f, why, sizeof why);
		if (strnlen(why, sizeof why) == sizeof why)
			abort();
	} else {
		if (!err.line || err.line > lines || !err.col || err.col > size + 1 || !err.what[0])
			abort();
		check_text(err.what, sizeof err.what);
	}
	free(text);
}

static void smbios(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	char vendor[16], product[16];
	uint64_t addr;
	uint32_t len;

	memcpy(copy, data, size);
	smbios_entry(copy, size, &addr, &len);
	if (smbios_system(copy, size, vendor, product, sizeof vendor) == LM_OK) {
		check_text(vendor, sizeof vendor);
		check_text(product, sizeof product);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte chooses the reader (a header seed begins with '\'). */
	if (size && data[0] == 0xff)
		smbios(data + 1, size - 1);
	else
		header(data, size);
	return 0;
}
