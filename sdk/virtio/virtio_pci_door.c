/*
 * The virtio PCI transport's callbacks on the Pci door
 * (sdk/virtio/virtio_pci_door.h). Only programs build this; the host tests
 * give the transport a fake function instead.
 */
#include "sdk/virtio/virtio_pci_door.h"

#define VIRTIO_VENDOR 0x1af4

enum lm_err virtio_pci_door_find(const struct pci_door *door, unsigned type, pci_func *func)
{
	uint32_t n = pci_count(door);

	for (pci_func f = *func; f < n; f++) {
		struct pci_function_info info;

		if (pci_info(door, f, &info) || info.vendor != VIRTIO_VENDOR)
			continue;
		if (info.device_id == 0x1040 + type ||
		    (info.device_id >= 0x1000 && info.device_id < 0x1040 && info.subsystem == type)) {
			*func = f;
			return LM_OK;
		}
	}
	return LM_ERR_NOENT;
}

static enum lm_err door_config_read(void *ctx, uint16_t offset, unsigned width, uint32_t *value)
{
	struct virtio_pci_door *c = ctx;

	return (enum lm_err)pci_read(c->door, c->func, offset, (uint8_t)width, value);
}

/* Maps the BAR the first time; 0 when it is not a memory BAR or cannot be
 * mapped (the transport then skips what lies in it). */
static uint64_t door_bar_size(void *ctx, unsigned bar)
{
	struct virtio_pci_door *c = ctx;
	struct pci_bar_info info;
	uintptr_t at;

	if (bar > 5)
		return 0;
	if (c->base[bar])
		return c->size[bar];
	if (pci_describe_bar(c->door, c->func, (uint8_t)bar, &info) || !info.size || (info.flags & 1))
		return 0;
	if (pci_map_bar(c->door, c->func, (uint8_t)bar, &at) || !at)
		return 0;
	c->base[bar] = (volatile uint8_t *)at;
	c->size[bar] = info.size;
	return info.size;
}

static bool inside(const struct virtio_pci_door *c, unsigned bar, uint64_t off, unsigned width)
{
	return bar <= 5 && c->base[bar] && off < c->size[bar] && width <= c->size[bar] - off &&
	       (width == 1 || width == 2 || width == 4) && off % width == 0;
}

static uint32_t door_bar_read(void *ctx, unsigned bar, uint64_t off, unsigned width)
{
	struct virtio_pci_door *c = ctx;
	volatile uint8_t *p;

	if (!inside(c, bar, off, width))
		return 0xffffffffu; /* what an absent device reads */
	p = c->base[bar] + off;
	if (width == 1)
		return *p;
	if (width == 2)
		return *(volatile uint16_t *)p;
	return *(volatile uint32_t *)p;
}

static void door_bar_write(void *ctx, unsigned bar, uint64_t off, unsigned width, uint32_t value)
{
	struct virtio_pci_door *c = ctx;
	volatile uint8_t *p;

	if (!inside(c, bar, off, width))
		return;
	p = c->base[bar] + off;
	if (width == 1)
		*p = (uint8_t)value;
	else if (width == 2)
		*(volatile uint16_t *)p = (uint16_t)value;
	else
		*(volatile uint32_t *)p = value;
}

enum lm_err virtio_pci_door_open(struct virtio_pci_door *c, const struct pci_door *door,
				 pci_func func, struct virtio_pci_ops *ops)
{
	pci_status st;

	*c = (struct virtio_pci_door){.door = door, .func = func};
	st = pci_enable(door, func, 1);
	if (st)
		return (enum lm_err)st;
	*ops = (struct virtio_pci_ops){door_config_read, door_bar_size, door_bar_read,
				       door_bar_write, c};
	return LM_OK;
}
