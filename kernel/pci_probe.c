/*
 * Reading one PCI function's configuration space (kernel/pci_probe.h).
 *
 * BARs are sized the standard way: with I/O and memory decoding off in the
 * command register, write all ones to the BAR, read back which address bits
 * stick (the size mask), and write the old value back; then the command
 * register is restored. Status bits are write-one-to-clear, so the command
 * register is always written with zeroes above bit 15.
 */
#include <stdarg.h>

#include "kernel/pci_probe.h"
#include "lib/fmt.h"

static void warn(const struct pci_config *c, const struct pci_function *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(const struct pci_config *c, const struct pci_function *f, const char *fmt, ...)
{
	char line[160];
	size_t n;
	va_list ap;

	if (!c->warn)
		return;
	n = fmt_snprintf(line, sizeof line, "pci %04x:%02x:%02x.%u: ", f->segment, f->bus,
			 f->device, f->function);
	if (n < sizeof line) {
		va_start(ap, fmt);
		fmt_vsnprintf(line + n, sizeof line - n, fmt, ap);
		va_end(ap);
	}
	c->warn(c->ctx, line);
}

static uint8_t read8(const struct pci_config *c, uint16_t off)
{
	return (uint8_t)(c->read32(c->ctx, off & ~3u) >> ((off & 3) * 8));
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Write all ones to the BAR word at off, read the mask back, restore. */
static uint32_t size_mask(const struct pci_config *c, uint16_t off, uint32_t old)
{
	uint32_t mask;

	c->write32(c->ctx, off, 0xffffffffu);
	mask = c->read32(c->ctx, off);
	c->write32(c->ctx, off, old);
	return mask;
}

/* Size BAR i (and i + 1 for a 64-bit one); returns how many slots it took. */
static unsigned probe_bar(const struct pci_config *c, struct pci_function *f, unsigned i,
			  unsigned slots)
{
	uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
	uint32_t old = c->read32(c->ctx, off), mask = size_mask(c, off, old);
	struct pci_bar b = {.index = (uint8_t)i};
	uint64_t full;
	unsigned used = 1;

	if (old & 1) {
		b.flags = PCI_BAR_IO;
		mask &= ~3u;
		if (!mask)
			return 1; /* not implemented */
		if (!(mask >> 16))
			mask |= 0xffff0000u; /* 16-bit I/O decoders may read 0 above */
		full = 0xffffffff00000000ull | mask;
		b.base = old & ~3u;
	} else {
		unsigned type = (old >> 1) & 3;

		if (type == 3) {
			warn(c, f, "BAR%u has the reserved memory type 3; ignored", i);
			return 1;
		}
		if (old & 8)
			b.flags |= PCI_BAR_PREFETCH;
		full = 0xffffffff00000000ull | (mask & ~0xfu);
		b.base = old & ~0xfu;
		if (type == 2) {
			uint32_t old_hi, mask_hi;

			if (i + 1 >= slots) {
				warn(c, f, "BAR%u is 64-bit but is the last BAR; ignored", i);
				return 1;
			}
			old_hi = c->read32(c->ctx, (uint16_t)(off + 4));
			mask_hi = size_mask(c, (uint16_t)(off + 4), old_hi);
			b.flags |= PCI_BAR_64;
			full = ((uint64_t)mask_hi << 32) | (mask & ~0xfu);
			b.base |= (uint64_t)old_hi << 32;
			used = 2;
		}
		if (b.flags & PCI_BAR_64 ? !full : !(mask & ~0xfu))
			return used; /* not implemented */
	}
	b.size = ~full + 1;
	if (!power_of_two(b.size)) {
		warn(c, f, "BAR%u size mask 0x%llx is not a power of two; ignored", i,
		     (unsigned long long)full);
		return used;
	}
	f->bars[f->bar_count++] = b;
	return used;
}

static void probe_bars(const struct pci_config *c, struct pci_function *f, unsigned slots)
{
	uint32_t cmd = c->read32(c->ctx, PCI_COMMAND) & 0xffff;

	c->write32(c->ctx, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
	for (unsigned i = 0; i < slots;)
		i += probe_bar(c, f, i, slots);
	c->write32(c->ctx, PCI_COMMAND, cmd);
}

/* The capability list: each entry's byte 0 is its id, byte 1 the next
 * pointer (0 ends). Pointers below 0x40 point into the header: the walk
 * ends there; it also ends after PCI_CAP_WALK_MAX entries, which only a
 * loop can reach. */
static void probe_caps(const struct pci_config *c, struct pci_function *f, uint16_t ptr_at)
{
	unsigned ptr = read8(c, ptr_at) & 0xfc, steps = 0;

	while (ptr) {
		uint32_t word;

		if (ptr < 0x40) {
			warn(c, f, "capability pointer 0x%02x points into the header; list cut", ptr);
			return;
		}
		if (steps++ == PCI_CAP_WALK_MAX) {
			warn(c, f, "capability list longer than %u entries (a loop?); list cut",
			     PCI_CAP_WALK_MAX);
			return;
		}
		word = c->read32(c->ctx, (uint16_t)ptr);
		if (f->cap_count < PCI_CAPS_MAX) {
			f->caps[f->cap_count] = (uint8_t)word;
			f->cap_offsets[f->cap_count++] = (uint8_t)ptr;
		}
		ptr = (word >> 8) & 0xfc;
	}
}

bool pci_probe_function(const struct pci_config *c, struct pci_function *out)
{
	uint32_t id = c->read32(c->ctx, PCI_VENDOR), word;
	unsigned type;

	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return false;
	out->vendor = (uint16_t)id;
	out->device_id = (uint16_t)(id >> 16);
	word = c->read32(c->ctx, PCI_CLASS_REV);
	out->revision = (uint8_t)word;
	out->prog_if = (uint8_t)(word >> 8);
	out->subclass = (uint8_t)(word >> 16);
	out->class = (uint8_t)(word >> 24);
	type = read8(c, PCI_HEADER + 2);
	out->multi_function = type & 0x80;
	out->header_type = type & 0x7f;
	out->config_size = c->size;
	out->subsystem_vendor = out->subsystem = 0;
	out->bar_count = out->cap_count = 0;
	switch (out->header_type) {
	case 0:
		word = c->read32(c->ctx, PCI_SUBSYSTEM);
		out->subsystem_vendor = (uint16_t)word;
		out->subsystem = (uint16_t)(word >> 16);
		probe_bars(c, out, 6);
		break;
	case 1:
		probe_bars(c, out, 2);
		break;
	case 2:
		break; /* CardBus: its one BAR is the socket's registers */
	default:
		warn(c, out, "unknown header type %u; BARs and capabilities not read",
		     out->header_type);
		return true;
	}
	if ((c->read32(c->ctx, PCI_COMMAND) >> 16) & PCI_STATUS_CAPS)
		probe_caps(c, out, out->header_type == 2 ? 0x14 : PCI_CAP_PTR);
	return true;
}

const char *pci_probe_class_name(uint8_t class)
{
	static const char *const names[] = {
		"unclassified", "storage", "network", "display", "multimedia", "memory",
		"bridge", "communication", "system", "input", "docking", "processor",
		"serial-bus", "wireless", "intelligent-io", "satellite", "crypto",
		"signal-processing", "accelerator", "instrumentation",
	};

	return class < sizeof names / sizeof names[0] ? names[class] : "?";
}

const char *pci_probe_cap_name(uint8_t id)
{
	switch (id) {
	case 0x01: return "pm";
	case 0x03: return "vpd";
	case 0x05: return "msi";
	case 0x09: return "vendor";
	case 0x0a: return "debug";
	case 0x0d: return "ssvid";
	case 0x10: return "pcie";
	case 0x11: return "msix";
	case 0x12: return "sata";
	case 0x13: return "af";
	default: return "?";
	}
}

const char *pci_probe_vendor_name(uint16_t vendor)
{
	switch (vendor) {
	case 0x1af4: return "virtio";
	case 0x1b36: return "redhat";
	case 0x1234: return "qemu";
	case 0x8086: return "intel";
	case 0x1022: return "amd";
	case 0x10de: return "nvidia";
	case 0x10ec: return "realtek";
	case 0x15ad: return "vmware";
	default: return NULL;
	}
}
