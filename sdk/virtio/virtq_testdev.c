/*
 * The device side of a split virtqueue, for host tests and the fuzzer
 * (sdk/virtio/virtq_testdev.h). Single-threaded: the test plays driver
 * and device in turn.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/virtio/virtq_testdev.h"

long virtq_testdev_dma_held;

static enum lm_err host_alloc(void *ctx, size_t bytes, struct virtio_dma *out)
{
	size_t rounded = (bytes + 4095) & ~(size_t)4095;
	void *p = aligned_alloc(4096, rounded);

	if (!p)
		return LM_ERR_NOMEM;
	memset(p, 0, rounded);
	*out = (struct virtio_dma){.virt = p, .phys = (uintptr_t)p, .bytes = rounded};
	virtq_testdev_dma_held++;
	return LM_OK;
}

static void host_free(void *ctx, const struct virtio_dma *mem)
{
	if ((uintptr_t)mem->virt != mem->phys)
		abort();
	free(mem->virt);
	virtq_testdev_dma_held--;
}

const struct virtio_dma_ops virtq_testdev_dma = {host_alloc, host_free, NULL};

static void *at(uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

void virtq_testdev_attach(struct virtq_testdev *d, const struct virtq *q)
{
	uint16_t n = virtq_size(q);

	memset(d, 0, sizeof *d);
	d->size = n;
	d->desc = at(virtq_desc_phys(q));
	d->avail_flags = at(virtq_avail_phys(q));
	d->avail_idx = d->avail_flags + 1;
	d->avail_ring = d->avail_flags + 2;
	d->used_event = d->avail_ring + n;
	d->used_flags = at(virtq_used_phys(q));
	d->used_idx = d->used_flags + 1;
	d->used_ring = (struct virtq_used_elem *)(d->used_flags + 2);
	d->avail_event = (uint16_t *)(d->used_ring + n);
}

bool virtq_testdev_pop(struct virtq_testdev *d, uint16_t *head)
{
	uint16_t avail = __atomic_load_n(d->avail_idx, __ATOMIC_ACQUIRE);

	if (avail == d->last_avail)
		return false;
	*head = d->avail_ring[d->last_avail % d->size];
	d->last_avail++;
	return true;
}

bool virtq_testdev_chain(const struct virtq_testdev *d, uint16_t head, unsigned *count,
			 uint64_t *writable)
{
	uint16_t i = head;

	*count = 0;
	*writable = 0;
	for (;;) {
		const struct virtq_desc *e;

		if (i >= d->size || *count >= d->size)
			return false;
		e = &d->desc[i];
		++*count;
		if (e->flags & VIRTQ_DESC_F_WRITE)
			*writable += e->len;
		if (!(e->flags & VIRTQ_DESC_F_NEXT))
			return true;
		i = e->next;
	}
}

void virtq_testdev_put(struct virtq_testdev *d, uint32_t id, uint32_t len)
{
	struct virtq_used_elem *e = &d->used_ring[d->next_used % d->size];

	e->id = id;
	e->len = len;
	d->next_used++;
}

void virtq_testdev_set_used(struct virtq_testdev *d, uint16_t idx)
{
	__atomic_store_n(d->used_idx, idx, __ATOMIC_RELEASE);
}

void virtq_testdev_push(struct virtq_testdev *d, uint32_t id, uint32_t len)
{
	virtq_testdev_put(d, id, len);
	virtq_testdev_set_used(d, d->next_used);
}
