/*
 * libFuzzer: pci_probe_function on any configuration space. The input is
 * 24 bytes of BAR size masks (six little-endian words: the bits of each
 * BAR that keep a written one), then up to 256 bytes of configuration
 * space (the rest is zero). The fake function behaves as hardware does:
 * a BAR write keeps the masked bits and the BAR's type bits, a command
 * write leaves the status bits as they were. Every result must hold what
 * the probe promises, and the probe must give back every BAR and the
 * command register as it found them; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/pci_probe.h"

struct fake {
	uint8_t cfg[256];
	uint32_t mask[6];
};

static uint32_t get32(const struct fake *f, uint16_t off)
{
	uint32_t v;

	memcpy(&v, f->cfg + off, 4);
	return v;
}

static uint32_t fake_read(void *ctx, uint16_t off)
{
	if (off % 4 || off >= 256)
		abort();
	return get32(ctx, off);
}

static void fake_write(void *ctx, uint16_t off, uint32_t value)
{
	struct fake *f = ctx;

	if (off % 4 || off >= 256)
		abort();
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24) {
		unsigned i = (off - PCI_BAR0) / 4;

		value = (value & f->mask[i]) | (get32(f, off) & ~f->mask[i] & 0xf);
	} else if (off == PCI_COMMAND) {
		if (value >> 16)
			abort(); /* would clear status bits */
		value |= get32(f, off) & 0xffff0000u;
	} else {
		abort(); /* the probe writes nothing else */
	}
	memcpy(f->cfg + off, &value, 4);
}

static void check_warning(void *ctx, const char *message)
{
	size_t n = strnlen(message, 200);

	if (n == 0 || n >= 160 || memchr(message, '\n', n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake f;
	uint8_t before[64];
	struct pci_config c = {fake_read, fake_write, check_warning, &f, 256};
	struct pci_function fn = {0};

	if (size < sizeof f.mask)
		return 0;
	memset(&f, 0, sizeof f);
	memcpy(f.mask, data, sizeof f.mask);
	size -= sizeof f.mask;
	memcpy(f.cfg, data + sizeof f.mask, size < sizeof f.cfg ? size : sizeof f.cfg);
	/* What a BAR reads is what it could hold. */
	for (unsigned i = 0; i < 6; i++) {
		uint32_t v = get32(&f, (uint16_t)(PCI_BAR0 + 4 * i));

		v = (v & f.mask[i]) | (v & ~f.mask[i] & 0xf);
		memcpy(f.cfg + PCI_BAR0 + 4 * i, &v, 4);
	}
	memcpy(before, f.cfg, sizeof before);
	if (!pci_probe_function(&c, &fn))
		return 0;
	if (memcmp(before, f.cfg, sizeof before))
		abort();
	if (fn.bar_count > PCI_BARS_MAX || fn.cap_count > PCI_CAPS_MAX || fn.header_type > 0x7f)
		abort();
	for (unsigned i = 0; i < fn.bar_count; i++) {
		const struct pci_bar *b = &fn.bars[i];

		if (!b->size || (b->size & (b->size - 1)) || b->index >= PCI_BARS_MAX)
			abort();
		if ((b->flags & PCI_BAR_64) && b->index == PCI_BARS_MAX - 1)
			abort();
		if (i && b->index <= fn.bars[i - 1].index)
			abort();
	}
	for (unsigned i = 0; i < fn.cap_count; i++)
		if (fn.cap_offsets[i] < 0x40 || fn.cap_offsets[i] % 4)
			abort();
	return 0;
}
