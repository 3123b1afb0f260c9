/*
 * A device that misbehaves, for tests only (docs/drivers.md, "virtio-net
 * and the Ethernet door"). QEMU's device is honest, so to see the driver
 * give up on a broken one end to end (tests/ethernet.t), the argument
 * hostile=N makes the receive thread, once N frames have been received,
 * write into the receive queue's used ring what a broken device would:
 * a used index far past every chain published. The virtio library finds
 * it at the next harvest and breaks the queue, as it would for a real
 * device, and the driver's own failure path runs from there. Without the
 * argument nothing here does anything.
 *
 * Owns: a note of the DMA blocks the driver took (to find the used ring's
 * address from its physical one), and the count that arms the strike.
 * Locking: notes are taken during setup, by one thread; the strike is
 * made by the receive thread with rx.lock held.
 */
#include "programs/virtio-net/vnet.h"

#define BLOCKS 8

uint64_t vnet_hostile_after;
static struct virtio_dma blocks[BLOCKS];
static unsigned noted;

void vnet_hostile_note(const struct virtio_dma *block)
{
	if (noted < BLOCKS)
		blocks[noted++] = *block;
}

void vnet_hostile_strike(void)
{
	uint64_t idx_phys;

	if (!vnet_hostile_after || vnet.rx.frames < vnet_hostile_after)
		return;
	idx_phys = virtq_used_phys(vnet.rx.q.vq) + 2; /* after the flags */
	for (unsigned i = 0; i < noted; i++)
		if (idx_phys - blocks[i].phys < blocks[i].bytes) {
			volatile uint16_t *idx =
				(volatile uint16_t *)((uint8_t *)blocks[i].virt +
						      (idx_phys - blocks[i].phys));

			*idx = (uint16_t)(*idx + 2 * VNET_QUEUE_MAX + 1);
			return;
		}
}
