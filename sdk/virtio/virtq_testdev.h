/*
 * virtq_testdev: the device side of a split virtqueue, for the host tests
 * and the fuzzer (never built into a program). It reads the rings at the
 * physical addresses the queue gives out, as a device would, which works
 * on the host because virtq_testdev_dma hands out memory whose physical
 * address is its virtual one. It follows the specification's layout on
 * its own, not virtq.c's private state, so the two check each other.
 */
#ifndef SDK_VIRTIO_VIRTQ_TESTDEV_H
#define SDK_VIRTIO_VIRTQ_TESTDEV_H

#include "sdk/virtio/virtq.h"

struct virtq_testdev {
	struct virtq_desc *desc;
	uint16_t *avail_flags, *avail_idx, *avail_ring, *used_event;
	uint16_t *used_flags, *used_idx, *avail_event;
	struct virtq_used_elem *used_ring;
	uint16_t size;
	uint16_t last_avail; /* next available entry the device reads */
	uint16_t next_used;  /* next used entry the device writes */
};

/* Plain page-aligned host memory, phys == virt; counts what is held. */
extern const struct virtio_dma_ops virtq_testdev_dma;
extern long virtq_testdev_dma_held;

void virtq_testdev_attach(struct virtq_testdev *d, const struct virtq *q);
/* The next published head, if any (the device's "pop"). */
bool virtq_testdev_pop(struct virtq_testdev *d, uint16_t *head);
/* Walk the chain at head in the descriptor table (at most size links):
 * how many descriptors, the bytes it may write; false if the chain is
 * malformed (a loop, a link out of range). */
bool virtq_testdev_chain(const struct virtq_testdev *d, uint16_t head, unsigned *count,
			 uint64_t *writable);
/* Write one used element and publish it. */
void virtq_testdev_push(struct virtq_testdev *d, uint32_t id, uint32_t len);
/* Write one used element without publishing (next_used advances). */
void virtq_testdev_put(struct virtq_testdev *d, uint32_t id, uint32_t len);
/* Publish the used index as it is now, or as given. */
void virtq_testdev_set_used(struct virtq_testdev *d, uint16_t idx);

#endif
