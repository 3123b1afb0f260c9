/*
 * virtio_pci_door: the transport's callbacks (struct virtio_pci_ops) on the
 * Pci door, for driver programs (docs/drivers.md, "virtio"). Configuration
 * reads go through the door; a BAR is mapped (uncached) the first time
 * the transport asks its size, and then read and written in place.
 *
 * Owns: the mapped addresses of the function's BARs. Nothing is ever
 * unmapped (the Pci door has no unmap; program memory stays, as images do).
 * Locking: open by one thread; afterwards the callbacks only read it.
 */
#ifndef SDK_VIRTIO_VIRTIO_PCI_DOOR_H
#define SDK_VIRTIO_VIRTIO_PCI_DOOR_H

#include <lemmings/pci.h>

#include "sdk/virtio/virtio_pci.h"

/* Virtio device types (specification 5): 1 network, 2 block, ... */
#define VIRTIO_TYPE_NET 1
#define VIRTIO_TYPE_BLOCK 2

struct virtio_pci_door {
	const struct pci_door *door;
	pci_func func;
	volatile uint8_t *base[6];
	uint64_t size[6];
};

/* The first function at or after *func that is a virtio device of this
 * type (modern id 0x1040 + type, or a transitional id with that subsystem
 * id); LM_ERR_NOENT if there is none. */
enum lm_err virtio_pci_door_find(const struct pci_door *door, unsigned type, pci_func *func);

/* Turn on memory decoding and bus mastering for func and fill ops. */
enum lm_err virtio_pci_door_open(struct virtio_pci_door *c, const struct pci_door *door,
				 pci_func func, struct virtio_pci_ops *ops);

#endif
