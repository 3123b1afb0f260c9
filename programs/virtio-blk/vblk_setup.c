/*
 * Setting up the virtio block device (vblk.h): found and reached through
 * the Pci door (sdk/virtio/virtio_pci_door.c), features negotiated, the
 * device configuration read, the completion thread started and the queue's
 * MSI-X entry bound to it through the Irq door, the queue and the request
 * slots in memory from the Memory door.
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/irq.h>
#include <lemmings/memory.h>
#include <lemmings/timer.h>

#include "programs/virtio-blk/vblk.h"

#define HEADER_CELL 32 /* a header (16 bytes) and its status byte */

/* ---- DMA memory, from the Memory door ---- */

static enum lm_err dma_alloc(void *ctx, size_t bytes, struct virtio_dma *out)
{
	struct memory_run run;
	uint64_t pages = (bytes + 4095) / 4096;
	enum lm_err err = (enum lm_err)memory_alloc(ctx, pages, 1, 0, &run);

	if (err)
		return err;
	*out = (struct virtio_dma){.virt = (void *)run.addr, .phys = run.phys, .bytes = pages * 4096};
	return LM_OK;
}

static void dma_free(void *ctx, const struct virtio_dma *mem)
{
	memory_free(ctx, (uintptr_t)mem->virt, mem->bytes / 4096);
}

/* One line saying why the device is not used; the error. */
static enum lm_err give_up(struct vblk *d, const char *what, enum lm_err err)
{
	printf("virtio-blk: %s: %s; no Block door\n", what, lm_err_str(err));
	if (d->dev.ops.bar_read)
		virtio_pci_fail(&d->dev);
	return err;
}

/* Capacity and limits from the device configuration (specification
 * 5.2.4), as far as the negotiated features say they are there. */
static enum lm_err read_config(struct vblk *d)
{
	uint64_t v;
	enum lm_err err = virtio_pci_device_read(&d->dev, 0, 8, &d->capacity);

	d->max_count = VBLK_MAX_COUNT;
	d->block_size = VBLK_SECTOR;
	if (!err && (d->dev.features & VBLK_F_SIZE_MAX) &&
	    !(err = virtio_pci_device_read(&d->dev, 8, 4, &v)) && v / VBLK_SECTOR < d->max_count)
		d->max_count = (uint32_t)(v / VBLK_SECTOR);
	if (!err && (d->dev.features & VBLK_F_SEG_MAX))
		err = virtio_pci_device_read(&d->dev, 12, 4, &v);
	if (!err && (d->dev.features & VBLK_F_SEG_MAX) && v < 1)
		err = LM_ERR_UNSUPPORTED; /* a request needs one data segment */
	if (!err && (d->dev.features & VBLK_F_BLK_SIZE) &&
	    !(err = virtio_pci_device_read(&d->dev, 20, 4, &v)) && v >= VBLK_SECTOR && v <= 65536)
		d->block_size = (uint32_t)v;
	if (!err && d->max_count == 0)
		err = LM_ERR_UNSUPPORTED; /* size_max below one sector */
	d->read_only = d->dev.features & VBLK_F_RO;
	d->cache = d->dev.features & VBLK_F_FLUSH;
	return err;
}

/* Header page and bounce buffers for every slot. */
static enum lm_err slots_alloc(struct vblk *d, const struct memory_door *mem)
{
	struct memory_run headers, data;
	uint64_t pages = (VBLK_MAX_COUNT * VBLK_SECTOR + 4095) / 4096;
	unsigned want = virtq_size(d->q.vq) / 3;
	enum lm_err err;

	if (want > VBLK_SLOTS_MAX)
		want = VBLK_SLOTS_MAX;
	if (want == 0)
		return LM_ERR_UNSUPPORTED;
	err = (enum lm_err)memory_alloc(mem, 1, 1, 0, &headers);
	for (unsigned i = 0; i < want && !err; i++) {
		err = (enum lm_err)memory_alloc(mem, pages, 1, 0, &data);
		if (!err)
			vblk_slot_add(d, (void *)(headers.addr + i * HEADER_CELL),
				      headers.phys + i * HEADER_CELL, (void *)data.addr, data.phys);
	}
	return err; /* what was taken stays: the program gives up on the device */
}

enum lm_err vblk_start(struct vblk *d)
{
	const struct pci_door *pci = pci_door_find();
	const struct memory_door *mem = memory_door_find();
	const struct irq_door *irq = irq_door_find();
	struct virtio_dma_ops dma = {dma_alloc, dma_free, (void *)mem};
	struct virtio_pci_ops ops;
	threads_spawn_result t;
	irq_binding binding;
	pci_func f = 0;
	enum lm_err err;

	memset(d, 0, sizeof *d);
	d->threads = threads_door_find();
	d->timer = timer_door_find();
	lm_lock_init(&d->lock, d->threads, d->timer);
	if (!pci || virtio_pci_door_find(pci, VIRTIO_TYPE_BLOCK, &f))
		return LM_ERR_NOENT;
	if (!mem || !irq || !d->threads || !d->timer)
		return give_up(d, "no Memory, Irq, Threads or Timer door", LM_ERR_UNSUPPORTED);
	if ((err = virtio_pci_door_open(&d->door, pci, f, &ops)))
		return give_up(d, "cannot open the PCI function", err);
	if ((err = virtio_pci_init(&d->dev, &ops)))
		return give_up(d, "not a modern virtio function", err);
	if ((err = virtio_pci_negotiate(&d->dev, VBLK_F_SIZE_MAX | VBLK_F_SEG_MAX | VBLK_F_RO |
							  VBLK_F_BLK_SIZE | VBLK_F_FLUSH |
							  VIRTIO_F_RING_EVENT_IDX)))
		return give_up(d, "feature negotiation failed", err);
	if ((err = read_config(d)))
		return give_up(d, "device configuration", err);

	/* The completion thread first: the queue's interrupt is bound to it. */
	t = threads_spawn(d->threads, vblk_completion, (uintptr_t)d, 1, 2,
			  (threads_name)(uintptr_t) "virtio-blk completion");
	if (!threads_spawn_result_is_thread(t))
		return give_up(d, "cannot start the completion thread", (enum lm_err)t);
	if ((err = (enum lm_err)irq_bind_msix(irq, f, 0, (threads_thread)t, VBLK_IRQ_BIT,
					      0xffffffff, &binding)))
		return give_up(d, "cannot bind MSI-X entry 0", err);
	if ((err = virtio_pci_queue_setup(&d->dev, 0, 256, 0, &dma, &d->q)))
		return give_up(d, "request queue setup", err);
	if ((err = slots_alloc(d, mem)))
		return give_up(d, "request buffers", err);
	virtio_pci_ready(&d->dev);
	if (virtio_pci_status(&d->dev) & VIRTIO_STATUS_FAILED)
		return give_up(d, "the device refused DRIVER_OK", LM_ERR_IO);
	return LM_OK;
}
