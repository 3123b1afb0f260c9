/*
 * The kernel's hardware words for the init language (lang_hw.h). Each is
 * a helper (arch/lang_emit.h): its stack effect was checked before it runs;
 * it checks its arguments itself and returns an error rather than doing
 * something undefined.
 *
 *   inb inw inl       ( port -- v )         port I/O, port <= 0xffff
 *   outb outw outl    ( v port -- )
 *   mmio@8 mmio@16 mmio@32 mmio@64   ( phys -- v )   device memory, mapped
 *   mmio!8 mmio!16 mmio!32 mmio!64   ( v phys -- )   uncached on first use
 *                                                   (vm_map_mmio), aligned
 *   rdmsr             ( msr -- v )          a #GP (no such MSR) is caught
 *   wrmsr             ( v msr -- )          and is an error, not a fault
 *   cpuid             ( leaf sub -- eax ebx ecx edx )
 *   pci-count         ( -- n )              functions found at boot
 *   pci-cfg@          ( index offset width -- v )    through kernel/pci.c,
 *   pci-cfg!          ( v index offset width -- )    as the Pci door does
 */
#include "kernel/lang_hw.h"

#include "arch/cpu.h"
#include "arch/vm.h"
#include "kernel/fault.h"
#include "kernel/pci.h"

enum {
	HW_ERR_PORT = LANG_ERR_HELPER,
	HW_ERR_ALIGN,
	HW_ERR_MAP,
	HW_ERR_FAULT,
	HW_ERR_PCI,
};

static const char *const hw_errors[] = {
	[HW_ERR_PORT - LANG_ERR_HELPER] = "port out of range",
	[HW_ERR_ALIGN - LANG_ERR_HELPER] = "misaligned address",
	[HW_ERR_MAP - LANG_ERR_HELPER] = "cannot map that address",
	[HW_ERR_FAULT - LANG_ERR_HELPER] = "the CPU refused it (general protection fault)",
	[HW_ERR_PCI - LANG_ERR_HELPER] = "no such PCI function or register",
};

static uint64_t *cells(struct lang_regs *regs)
{
	return (uint64_t *)(uintptr_t)regs->sp;
}

/* ( port -- v ) */
static int port_in(struct lang_regs *regs, unsigned width)
{
	uint64_t port = cells(regs)[0];

	if (port > 0xffff)
		return HW_ERR_PORT;
	cells(regs)[0] = width == 1 ? inb((uint16_t)port)
		       : width == 2 ? inw((uint16_t)port) : inl((uint16_t)port);
	return 0;
}

/* ( v port -- ) */
static int port_out(struct lang_regs *regs, unsigned width)
{
	uint64_t port = cells(regs)[0], v = cells(regs)[1];

	if (port > 0xffff)
		return HW_ERR_PORT;
	if (width == 1)
		outb((uint16_t)port, (uint8_t)v);
	else if (width == 2)
		outw((uint16_t)port, (uint16_t)v);
	else
		outl((uint16_t)port, (uint32_t)v);
	regs->sp += 16;
	return 0;
}

static int h_inb(struct lang_regs *r) { return port_in(r, 1); }
static int h_inw(struct lang_regs *r) { return port_in(r, 2); }
static int h_inl(struct lang_regs *r) { return port_in(r, 4); }
static int h_outb(struct lang_regs *r) { return port_out(r, 1); }
static int h_outw(struct lang_regs *r) { return port_out(r, 2); }
static int h_outl(struct lang_regs *r) { return port_out(r, 4); }

static int mmio_address(uint64_t phys, unsigned width, volatile void **va)
{
	void *p;

	if (phys % width)
		return HW_ERR_ALIGN;
	if (vm_map_mmio(phys, width, &p) != LM_OK)
		return HW_ERR_MAP;
	*va = p;
	return 0;
}

/* ( phys -- v ) */
static int mmio_read(struct lang_regs *regs, unsigned width)
{
	volatile void *va;
	int err = mmio_address(cells(regs)[0], width, &va);

	if (err)
		return err;
	switch (width) {
	case 1: cells(regs)[0] = *(volatile uint8_t *)va; break;
	case 2: cells(regs)[0] = *(volatile uint16_t *)va; break;
	case 4: cells(regs)[0] = *(volatile uint32_t *)va; break;
	default: cells(regs)[0] = *(volatile uint64_t *)va; break;
	}
	return 0;
}

/* ( v phys -- ) */
static int mmio_write(struct lang_regs *regs, unsigned width)
{
	uint64_t v = cells(regs)[1];
	volatile void *va;
	int err = mmio_address(cells(regs)[0], width, &va);

	if (err)
		return err;
	switch (width) {
	case 1: *(volatile uint8_t *)va = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)va = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)va = (uint32_t)v; break;
	default: *(volatile uint64_t *)va = v; break;
	}
	regs->sp += 16;
	return 0;
}

static int h_mmio_read8(struct lang_regs *r) { return mmio_read(r, 1); }
static int h_mmio_read16(struct lang_regs *r) { return mmio_read(r, 2); }
static int h_mmio_read32(struct lang_regs *r) { return mmio_read(r, 4); }
static int h_mmio_read64(struct lang_regs *r) { return mmio_read(r, 8); }
static int h_mmio_write8(struct lang_regs *r) { return mmio_write(r, 1); }
static int h_mmio_write16(struct lang_regs *r) { return mmio_write(r, 2); }
static int h_mmio_write32(struct lang_regs *r) { return mmio_write(r, 4); }
static int h_mmio_write64(struct lang_regs *r) { return mmio_write(r, 8); }

/* ( msr -- v ): an MSR the CPU does not have raises #GP, caught here. */
static int h_rdmsr(struct lang_regs *regs)
{
	struct fault_catch c;
	uint64_t msr = cells(regs)[0], v;

	if (msr > UINT32_MAX)
		return HW_ERR_FAULT;
	if (fault_catch_begin(&c) != 0)
		return HW_ERR_FAULT;
	v = rdmsr((uint32_t)msr);
	fault_catch_end(&c);
	cells(regs)[0] = v;
	return 0;
}

/* ( v msr -- ) */
static int h_wrmsr(struct lang_regs *regs)
{
	struct fault_catch c;
	uint64_t msr = cells(regs)[0], v = cells(regs)[1];

	if (msr > UINT32_MAX)
		return HW_ERR_FAULT;
	if (fault_catch_begin(&c) != 0)
		return HW_ERR_FAULT;
	wrmsr((uint32_t)msr, v);
	fault_catch_end(&c);
	regs->sp += 16;
	return 0;
}

/* ( leaf sub -- eax ebx ecx edx ): two cells in, four out. */
static int h_cpuid(struct lang_regs *regs)
{
	uint32_t a, b, c, d;

	cpuid((uint32_t)cells(regs)[1], (uint32_t)cells(regs)[0], &a, &b, &c, &d);
	regs->sp -= 16;
	cells(regs)[3] = a;
	cells(regs)[2] = b;
	cells(regs)[1] = c;
	cells(regs)[0] = d;
	return 0;
}

static int h_pci_count(struct lang_regs *regs)
{
	regs->sp -= 8;
	cells(regs)[0] = pci_function_count();
	return 0;
}

/* ( index offset width -- v ) */
static int h_pci_read(struct lang_regs *regs)
{
	uint64_t width = cells(regs)[0], off = cells(regs)[1], i = cells(regs)[2];
	uint32_t v;

	if (i > UINT32_MAX || off > UINT16_MAX || width > 4 ||
	    pci_cfg_read((uint32_t)i, (uint16_t)off, (unsigned)width, &v) != LM_OK)
		return HW_ERR_PCI;
	regs->sp += 16;
	cells(regs)[0] = v;
	return 0;
}

/* ( v index offset width -- ) */
static int h_pci_write(struct lang_regs *regs)
{
	uint64_t width = cells(regs)[0], off = cells(regs)[1], i = cells(regs)[2];
	uint64_t v = cells(regs)[3];

	if (i > UINT32_MAX || off > UINT16_MAX || width > 4 ||
	    pci_cfg_write((uint32_t)i, (uint16_t)off, (unsigned)width, (uint32_t)v) != LM_OK)
		return HW_ERR_PCI;
	regs->sp += 32;
	return 0;
}

const struct lang_word_def lang_hw_words[] = {
	{ "inb", h_inb, 1, 1 },
	{ "inw", h_inw, 1, 1 },
	{ "inl", h_inl, 1, 1 },
	{ "outb", h_outb, 2, 0 },
	{ "outw", h_outw, 2, 0 },
	{ "outl", h_outl, 2, 0 },
	{ "mmio@8", h_mmio_read8, 1, 1 },
	{ "mmio@16", h_mmio_read16, 1, 1 },
	{ "mmio@32", h_mmio_read32, 1, 1 },
	{ "mmio@64", h_mmio_read64, 1, 1 },
	{ "mmio!8", h_mmio_write8, 2, 0 },
	{ "mmio!16", h_mmio_write16, 2, 0 },
	{ "mmio!32", h_mmio_write32, 2, 0 },
	{ "mmio!64", h_mmio_write64, 2, 0 },
	{ "rdmsr", h_rdmsr, 1, 1 },
	{ "wrmsr", h_wrmsr, 2, 0 },
	{ "cpuid", h_cpuid, 2, 4 },
	{ "pci-count", h_pci_count, 0, 1 },
	{ "pci-cfg@", h_pci_read, 3, 1 },
	{ "pci-cfg!", h_pci_write, 4, 0 },
};

const size_t lang_hw_word_count = sizeof lang_hw_words / sizeof lang_hw_words[0];

enum lm_err lang_hw_add(struct lang_vm *vm)
{
	return lang_add_words(vm, lang_hw_words, lang_hw_word_count, hw_errors,
			      sizeof hw_errors / sizeof hw_errors[0]);
}
