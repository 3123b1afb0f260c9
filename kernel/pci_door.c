/*
 * The Pci door (sdk/idl/pci.idl): the kernel's list of PCI functions
 * (kernel/pci.c) for drivers. Kernel only: the hosted runtime has no PCI,
 * so kernel/main.c publishes it beside the shared services.
 *
 * Every argument is outside input: indexes, widths, offsets and BAR
 * numbers are checked by kernel/pci.c and get LM_ERR_INVAL or LM_ERR_RANGE;
 * an out pointer to memory that is not mapped gets LM_ERR_INVAL.
 */
#include <lemmings/pci.h>

#include "core/systab.h"
#include "kernel/pci.h"
#include "kernel/pci_door.h"
#include "services/service.h"

/* An out pointer the kernel cannot use: not mapped (the page tables say,
 * through systab_readable), so a bad one gets an error, not a fault. */
static bool bad_out(const void *p, size_t size)
{
	return !systab_readable(p, size);
}

static uint32_t door_count(void)
{
	return pci_function_count();
}

static pci_status door_info(pci_func func, struct pci_function_info *out)
{
	const struct pci_function *f = pci_function_get(func);

	if (!f || bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	*out = (struct pci_function_info){
		.segment = f->segment,
		.bus = f->bus,
		.device = f->device,
		.function = f->function,
		.header_type = f->header_type,
		.vendor = f->vendor,
		.device_id = f->device_id,
		.class = f->class,
		.subclass = f->subclass,
		.prog_if = f->prog_if,
		.revision = f->revision,
		.subsystem_vendor = f->subsystem_vendor,
		.subsystem = f->subsystem,
		.config_size = f->config_size,
	};
	return LM_OK;
}

static pci_status door_describe_bar(pci_func func, uint8_t bar, struct pci_bar_info *out)
{
	const struct pci_bar *b;

	if (func >= pci_function_count() || bar >= PCI_BARS_MAX || bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	b = pci_bar_get(func, bar);
	*out = b ? (struct pci_bar_info){b->base, b->size, b->flags} : (struct pci_bar_info){0};
	return LM_OK;
}

static pci_status door_read(pci_func func, uint16_t offset, uint8_t width, uint32_t *out)
{
	uint32_t v;
	enum lm_err err;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	err = pci_cfg_read(func, offset, width, &v);
	if (!err)
		*out = v;
	return err;
}

static pci_status door_write(pci_func func, uint16_t offset, uint8_t width, uint32_t value)
{
	return pci_cfg_write(func, offset, width, value);
}

static pci_status door_enable(pci_func func, uint8_t bus_master)
{
	uint16_t bits = PCI_CMD_MEMORY;
	const struct pci_function *f = pci_function_get(func);

	if (!f || bus_master > 1)
		return LM_ERR_INVAL;
	for (unsigned i = 0; i < f->bar_count; i++)
		if (f->bars[i].flags & PCI_BAR_IO)
			bits |= PCI_CMD_IO;
	if (bus_master)
		bits |= PCI_CMD_BUS_MASTER;
	return pci_command_set(func, bits);
}

static pci_status door_map_bar(pci_func func, uint8_t bar, uintptr_t *out)
{
	void *va;
	enum lm_err err;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	err = pci_bar_map(func, bar, &va);
	if (!err)
		*out = (uintptr_t)va;
	return err;
}

static const struct pci_door pci_door = {
	.header = PCI_DOOR_HEADER,
	.count = door_count,
	.info = door_info,
	.describe_bar = door_describe_bar,
	.read = door_read,
	.write = door_write,
	.enable = door_enable,
	.map_bar = door_map_bar,
};

void pci_door_publish(void)
{
	service_register(&pci_door, "pci");
}
