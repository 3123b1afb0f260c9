/*
 * MSI and MSI-X programming (kernel/msi.h).
 *
 * MSI capability: +2 message control (bit 0 enable, bits 4-6 messages
 * enabled as a power of two, bit 7 64-bit address), +4 address, then
 * either +8 data (32-bit) or +8 high address and +0xc data. One message is
 * used: the multiple-message field stays 0.
 *
 * MSI-X capability: +2 message control (bits 0-10 table size - 1, bit 14
 * function mask, bit 15 enable), +4 table offset with the BAR's slot in
 * bits 0-2. Each table entry is 16 bytes: address low and high, data, and
 * vector control (bit 0 masked).
 */
#include "arch/apic.h"
#include "arch/vm.h"
#include "kernel/msi.h"
#include "kernel/pci.h"

#define PCI_CMD_INTX_DISABLE (1u << 10)

#define MSI_CTL_ENABLE (1u << 0)
#define MSI_CTL_MME (7u << 4)
#define MSI_CTL_64BIT (1u << 7)

#define MSIX_CTL_SIZE 0x7ffu
#define MSIX_CTL_FMASK (1u << 14)
#define MSIX_CTL_ENABLE (1u << 15)
#define MSIX_ENTRY_SIZE 16
#define MSIX_MASKED 1u

uint8_t msi_cap_offset(uint32_t func, uint8_t id)
{
	const struct pci_function *f = pci_function_get(func);

	if (!f)
		return 0;
	for (unsigned i = 0; i < f->cap_count; i++)
		if (f->caps[i] == id)
			return f->cap_offsets[i];
	return 0;
}

static enum lm_err cap_of(uint32_t func, uint8_t id, uint8_t *off)
{
	if (!pci_function_get(func))
		return LM_ERR_INVAL;
	*off = msi_cap_offset(func, id);
	return *off ? LM_OK : LM_ERR_UNSUPPORTED;
}

static void command_bits(uint32_t func, uint32_t set, uint32_t clear)
{
	uint32_t cmd;

	if (pci_cfg_read(func, PCI_COMMAND, 2, &cmd) == LM_OK)
		pci_cfg_write(func, PCI_COMMAND, 2, (cmd | set) & ~clear);
}

enum lm_err msi_enable(uint32_t func, uint8_t vector, uint32_t apic_id)
{
	uint64_t addr = apic_msi_address(apic_id);
	uint8_t off;
	uint32_t ctl;
	enum lm_err err = cap_of(func, PCI_CAP_MSI, &off);

	if (err)
		return err;
	pci_cfg_read(func, off + 2, 2, &ctl);
	ctl &= ~(MSI_CTL_ENABLE | MSI_CTL_MME);
	pci_cfg_write(func, off + 2, 2, ctl);
	pci_cfg_write(func, off + 4, 4, (uint32_t)addr);
	if (ctl & MSI_CTL_64BIT) {
		pci_cfg_write(func, off + 8, 4, (uint32_t)(addr >> 32));
		pci_cfg_write(func, off + 12, 2, apic_msi_data(vector));
	} else {
		pci_cfg_write(func, off + 8, 2, apic_msi_data(vector));
	}
	/* A message is a memory write by the device: bus mastering on. */
	command_bits(func, PCI_CMD_INTX_DISABLE | PCI_CMD_BUS_MASTER, 0);
	pci_cfg_write(func, off + 2, 2, ctl | MSI_CTL_ENABLE);
	return LM_OK;
}

/* Clear the enable bit of capability id's message control, and let INTx
 * back on. */
static void cap_disable(uint32_t func, uint8_t id, uint32_t enable)
{
	uint8_t off;
	uint32_t ctl;

	if (cap_of(func, id, &off))
		return;
	pci_cfg_read(func, off + 2, 2, &ctl);
	pci_cfg_write(func, off + 2, 2, ctl & ~enable);
	command_bits(func, 0, PCI_CMD_INTX_DISABLE);
}

void msi_disable(uint32_t func)
{
	cap_disable(func, PCI_CAP_MSI, MSI_CTL_ENABLE);
}

/* The table's place: its capability, size and mapped first byte. Nothing
 * in it is trusted: the BAR must be a memory BAR the table fits in. */
struct msix {
	uint8_t cap;
	uint32_t entries;
	volatile uint32_t *table;
};

static enum lm_err msix_find(uint32_t func, struct msix *m, bool map)
{
	uint32_t ctl, where;
	const struct pci_bar *bar;
	uint64_t off, len;
	void *va;
	enum lm_err err = cap_of(func, PCI_CAP_MSIX, &m->cap);

	if (err)
		return err;
	pci_cfg_read(func, m->cap + 2, 2, &ctl);
	pci_cfg_read(func, m->cap + 4, 4, &where);
	m->entries = (ctl & MSIX_CTL_SIZE) + 1;
	bar = pci_bar_get(func, where & 7);
	off = where & ~7u;
	len = (uint64_t)m->entries * MSIX_ENTRY_SIZE;
	if (!bar || (bar->flags & PCI_BAR_IO) || !bar->base || off > bar->size ||
	    len > bar->size - off)
		return LM_ERR_RANGE;
	if (!map)
		return LM_OK;
	command_bits(func, PCI_CMD_MEMORY, 0); /* the table is memory the BAR decodes */
	err = vm_map_mmio(bar->base + off, len, &va);
	if (!err)
		m->table = va;
	return err;
}

enum lm_err msix_table_size(uint32_t func, uint32_t *entries)
{
	struct msix m;
	enum lm_err err = msix_find(func, &m, false);

	if (!err)
		*entries = m.entries;
	return err;
}

enum lm_err msix_enable_entry(uint32_t func, uint32_t entry, uint8_t vector, uint32_t apic_id)
{
	uint64_t addr = apic_msi_address(apic_id);
	struct msix m;
	uint32_t ctl;
	volatile uint32_t *e;
	enum lm_err err = msix_find(func, &m, true);

	if (err)
		return err;
	if (entry >= m.entries)
		return LM_ERR_RANGE;
	pci_cfg_read(func, m.cap + 2, 2, &ctl);
	if (!(ctl & MSIX_CTL_ENABLE)) {
		/* Enabled with the whole function masked, every entry masked,
		 * then the function mask lifted: nothing fires half-written. */
		pci_cfg_write(func, m.cap + 2, 2, ctl | MSIX_CTL_ENABLE | MSIX_CTL_FMASK);
		for (uint32_t i = 0; i < m.entries; i++)
			m.table[i * 4 + 3] |= MSIX_MASKED;
		command_bits(func, PCI_CMD_INTX_DISABLE | PCI_CMD_BUS_MASTER, 0);
		ctl |= MSIX_CTL_ENABLE;
	}
	e = m.table + entry * 4;
	e[3] |= MSIX_MASKED;
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = apic_msi_data(vector);
	e[3] &= ~MSIX_MASKED;
	pci_cfg_write(func, m.cap + 2, 2, ctl & ~MSIX_CTL_FMASK);
	return LM_OK;
}

void msix_disable(uint32_t func)
{
	cap_disable(func, PCI_CAP_MSIX, MSIX_CTL_ENABLE);
}

/* Entry entry of func's table, mapped: *words points at its four words. */
static enum lm_err msix_entry(uint32_t func, uint32_t entry, volatile uint32_t **words)
{
	struct msix m;
	enum lm_err err = msix_find(func, &m, true);

	if (err)
		return err;
	if (entry >= m.entries)
		return LM_ERR_RANGE;
	*words = m.table + entry * 4;
	return LM_OK;
}

enum lm_err msix_mask_entry(uint32_t func, uint32_t entry)
{
	volatile uint32_t *e;
	enum lm_err err = msix_entry(func, entry, &e);

	if (!err)
		e[3] |= MSIX_MASKED;
	return err;
}

enum lm_err msix_read_entry(uint32_t func, uint32_t entry, uint32_t words[4])
{
	volatile uint32_t *e;
	enum lm_err err = msix_entry(func, entry, &e);

	for (int i = 0; !err && i < 4; i++)
		words[i] = e[i];
	return err;
}
