/*
 * PCI enumeration at boot and configuration access (kernel/pci.h).
 *
 * Two ways in. ECAM: each MCFG window is mapped uncached in one piece
 * (vm_map_mmio; a full 256-bus window costs 128 page-table pages, 512 KiB)
 * and a function's 4 KiB of configuration space is at
 * base + (bus << 20 | device << 15 | function << 12). Legacy: the address
 * of a 32-bit word goes to port 0xcf8, the data moves through 0xcfc-0xcff;
 * only 256 bytes per function. Every bus in range is scanned (brute force:
 * no bridge is followed, so no bus is scanned twice), device 0-31, and
 * functions 1-7 only when function 0 says it is multi-function.
 *
 * What hardware returns is read by kernel/pci_probe.c, which drops what
 * makes no sense with a warning; nothing here panics on it.
 */
#include <stdarg.h>

#include "arch/cpu.h"
#include "arch/spinlock.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "kernel/pci.h"
#include "lib/fmt.h"

#define LEGACY_ADDRESS 0xcf8
#define LEGACY_DATA 0xcfc

struct pci_slot {
	struct pci_function f;
	volatile uint8_t *ecam;   /* its configuration space; NULL: legacy ports */
};

static struct pci_slot slots[PCI_FUNCTIONS_MAX];
static uint32_t slot_count;
static bool table_full_told;
static struct spinlock pci_lock = SPINLOCK_INIT;

static uint32_t legacy_address(const struct pci_function *f, uint16_t off)
{
	return 0x80000000u | (uint32_t)f->bus << 16 | (uint32_t)f->device << 11 |
	       (uint32_t)f->function << 8 | (off & 0xfc);
}

/* The raw accesses; the caller holds pci_lock and has checked off. */
static uint32_t raw_read(const struct pci_slot *s, uint16_t off, unsigned width)
{
	if (s->ecam) {
		if (width == 1)
			return *(volatile uint8_t *)(s->ecam + off);
		if (width == 2)
			return *(volatile uint16_t *)(s->ecam + off);
		return *(volatile uint32_t *)(s->ecam + off);
	}
	outl(LEGACY_ADDRESS, legacy_address(&s->f, off));
	if (width == 1)
		return inb((uint16_t)(LEGACY_DATA + (off & 3)));
	if (width == 2)
		return inw((uint16_t)(LEGACY_DATA + (off & 2)));
	return inl(LEGACY_DATA);
}

static void raw_write(const struct pci_slot *s, uint16_t off, unsigned width, uint32_t v)
{
	if (s->ecam) {
		if (width == 1)
			*(volatile uint8_t *)(s->ecam + off) = (uint8_t)v;
		else if (width == 2)
			*(volatile uint16_t *)(s->ecam + off) = (uint16_t)v;
		else
			*(volatile uint32_t *)(s->ecam + off) = v;
		return;
	}
	outl(LEGACY_ADDRESS, legacy_address(&s->f, off));
	if (width == 1)
		outb((uint16_t)(LEGACY_DATA + (off & 3)), (uint8_t)v);
	else if (width == 2)
		outw((uint16_t)(LEGACY_DATA + (off & 2)), (uint16_t)v);
	else
		outl(LEGACY_DATA, v);
}

/* pci_probe's callbacks, on the slot being filled (boot, one hart). */
static uint32_t probe_read(void *ctx, uint16_t off)
{
	return raw_read(ctx, off, 4);
}

static void probe_write(void *ctx, uint16_t off, uint32_t v)
{
	raw_write(ctx, off, 4, v);
}

static void probe_warn(void *ctx, const char *message)
{
	kprintf("%s\n", message);
}

static void append(char *line, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *line, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= size)
		return;
	va_start(ap, fmt);
	*n += fmt_vsnprintf(line + *n, size - *n, fmt, ap);
	va_end(ap);
}

static void append_size(char *line, size_t size, size_t *n, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	unsigned u = 0;

	if (bytes < 1024) {
		append(line, size, n, "%llu", (unsigned long long)bytes);
		return;
	}
	bytes >>= 10;
	while (bytes >= 1024 && u + 1 < sizeof units - 1) {
		bytes >>= 10;
		u++;
	}
	append(line, size, n, "%llu%c", (unsigned long long)bytes, units[u]);
}

/* One line per function; docs/drivers.md describes the format. */
static void print_function(const struct pci_function *f)
{
	char line[384];
	size_t n = 0;
	const char *vendor = pci_probe_vendor_name(f->vendor);

	append(line, sizeof line, &n, "pci %04x:%02x:%02x.%u %04x:%04x class %02x.%02x.%02x %s",
	       f->segment, f->bus, f->device, f->function, f->vendor, f->device_id, f->class,
	       f->subclass, f->prog_if, pci_probe_class_name(f->class));
	if (vendor)
		append(line, sizeof line, &n, " %s", vendor);
	append(line, sizeof line, &n, " rev %02x", f->revision);
	if (f->header_type == 1)
		append(line, sizeof line, &n, " bridge");
	append(line, sizeof line, &n, ", %u BAR%s", f->bar_count, f->bar_count == 1 ? "" : "s");
	for (unsigned i = 0; i < f->bar_count; i++) {
		const struct pci_bar *b = &f->bars[i];

		append(line, sizeof line, &n, "%s%u=%s%s%s ", i ? " " : ": ", b->index,
		       b->flags & PCI_BAR_IO ? "io" : "mem", b->flags & PCI_BAR_64 ? "64" : "",
		       b->flags & PCI_BAR_PREFETCH ? "p" : "");
		append_size(line, sizeof line, &n, b->size);
		append(line, sizeof line, &n, "@0x%llx", (unsigned long long)b->base);
	}
	if (f->cap_count) {
		append(line, sizeof line, &n, ", caps:");
		for (unsigned i = 0; i < f->cap_count; i++)
			append(line, sizeof line, &n, " %s", pci_probe_cap_name(f->caps[i]));
	}
	if (n >= sizeof line)
		line[sizeof line - 2] = '~'; /* cut short */
	kprintf("%s\n", line);
}

/* Probe one function into the next slot; true if one answered. */
static bool probe(uint16_t segment, volatile uint8_t *bus_base, uint8_t bus, uint8_t dev,
		  uint8_t fn)
{
	struct pci_slot *s;
	struct pci_config c;

	if (slot_count == PCI_FUNCTIONS_MAX) {
		if (!table_full_told)
			kprintf("pci: more than %u functions; the rest are not listed\n",
				PCI_FUNCTIONS_MAX);
		table_full_told = true;
		return false;
	}
	s = &slots[slot_count];
	*s = (struct pci_slot){
		.f = {.segment = segment, .bus = bus, .device = dev, .function = fn},
		.ecam = bus_base ? bus_base + ((uint32_t)dev << 15 | (uint32_t)fn << 12) : NULL,
	};
	c = (struct pci_config){probe_read, probe_write, probe_warn, s,
				(uint16_t)(bus_base ? 4096 : 256)};
	if (!pci_probe_function(&c, &s->f))
		return false;
	print_function(&s->f);
	slot_count++;
	return true;
}

static void scan_bus(uint16_t segment, volatile uint8_t *bus_base, uint8_t bus)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		if (!probe(segment, bus_base, bus, dev, 0))
			continue;
		if (!slots[slot_count - 1].f.multi_function)
			continue;
		for (uint8_t fn = 1; fn < 8; fn++)
			probe(segment, bus_base, bus, dev, fn);
	}
}

static void scan_ecam(const struct acpi_mcfg *m)
{
	uint64_t first = m->base + ((uint64_t)m->bus_start << 20);
	uint64_t len = (uint64_t)(m->bus_end - m->bus_start + 1) << 20;
	void *va;
	enum lm_err err;

	if (first < m->base) {
		kprintf("pci: segment %u's ECAM window at 0x%llx wraps; skipped\n", m->segment,
			(unsigned long long)m->base);
		return;
	}
	err = vm_map_mmio(first, len, &va);
	if (err) {
		kprintf("pci: cannot map segment %u's ECAM window at 0x%llx: %s; skipped\n",
			m->segment, (unsigned long long)first, lm_err_str(err));
		return;
	}
	for (unsigned bus = m->bus_start; bus <= m->bus_end; bus++)
		scan_bus(m->segment, (volatile uint8_t *)va + ((uint64_t)(bus - m->bus_start) << 20),
			 (uint8_t)bus);
}

/* Configuration mechanism 1 is there if its address port keeps what is
 * written to it. */
static bool legacy_present(void)
{
	uint32_t old = inl(LEGACY_ADDRESS), back;

	outl(LEGACY_ADDRESS, 0x80000000u);
	back = inl(LEGACY_ADDRESS);
	outl(LEGACY_ADDRESS, old);
	return back == 0x80000000u;
}

void pci_init(void)
{
	const char *how = "ECAM";

	if (firmware.mcfg_count) {
		for (uint32_t i = 0; i < firmware.mcfg_count; i++)
			scan_ecam(&firmware.mcfg[i]);
	} else if (legacy_present()) {
		how = "the legacy ports (no MCFG)";
		for (unsigned bus = 0; bus < 256; bus++)
			scan_bus(0, NULL, (uint8_t)bus);
	} else {
		kprintf("pci: no MCFG and no legacy configuration ports: no PCI\n");
		return;
	}
	kprintf("pci: %u function%s, through %s\n", slot_count, slot_count == 1 ? "" : "s", how);
}

uint32_t pci_function_count(void)
{
	return slot_count;
}

const struct pci_function *pci_function_get(uint32_t i)
{
	return i < slot_count ? &slots[i].f : NULL;
}

static enum lm_err check(uint32_t i, uint16_t offset, unsigned width)
{
	if (i >= slot_count || (width != 1 && width != 2 && width != 4))
		return LM_ERR_INVAL;
	if (offset % width || (uint32_t)offset + width > slots[i].f.config_size)
		return LM_ERR_RANGE;
	return LM_OK;
}

enum lm_err pci_cfg_read(uint32_t i, uint16_t offset, unsigned width, uint32_t *out)
{
	enum lm_err err = check(i, offset, width);
	bool irq;

	if (err)
		return err;
	irq = plat_spin_lock(&pci_lock);
	*out = raw_read(&slots[i], offset, width);
	plat_spin_unlock(&pci_lock, irq);
	return LM_OK;
}

enum lm_err pci_cfg_write(uint32_t i, uint16_t offset, unsigned width, uint32_t value)
{
	enum lm_err err = check(i, offset, width);
	bool irq;

	if (err)
		return err;
	irq = plat_spin_lock(&pci_lock);
	raw_write(&slots[i], offset, width, value);
	plat_spin_unlock(&pci_lock, irq);
	return LM_OK;
}

enum lm_err pci_command_set(uint32_t i, uint16_t bits)
{
	bool irq;

	if (i >= slot_count)
		return LM_ERR_INVAL;
	irq = plat_spin_lock(&pci_lock);
	raw_write(&slots[i], PCI_COMMAND, 2, raw_read(&slots[i], PCI_COMMAND, 2) | bits);
	plat_spin_unlock(&pci_lock, irq);
	return LM_OK;
}

const struct pci_bar *pci_bar_get(uint32_t i, unsigned bar)
{
	if (i >= slot_count)
		return NULL;
	for (unsigned b = 0; b < slots[i].f.bar_count; b++)
		if (slots[i].f.bars[b].index == bar)
			return &slots[i].f.bars[b];
	return NULL;
}

enum lm_err pci_bar_map(uint32_t i, unsigned bar, void **va)
{
	const struct pci_bar *b = pci_bar_get(i, bar);

	if (!b || (b->flags & PCI_BAR_IO) || !b->base)
		return LM_ERR_INVAL; /* base 0: firmware left it unassigned */
	return vm_map_mmio(b->base, b->size, va);
}
