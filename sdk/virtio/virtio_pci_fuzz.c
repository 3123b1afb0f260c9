/*
 * libFuzzer: the virtio PCI transport (sdk/virtio/virtio_pci.c) on a
 * function whose every answer comes from the input. The input is six BAR
 * sizes (one byte each: 0 none, else 1 << (b % 24) bytes), 256 bytes of
 * configuration space, then the values BAR reads return, in the order the
 * transport asks for them (four bytes each; zero once the input runs out).
 * The transport runs init, negotiation, setup of four queues and some
 * device configuration reads.
 *
 * It must never read configuration space out of range or unaligned, never
 * touch a BAR outside its size, keep every region it reports inside its
 * BAR, and never hand out a doorbell outside the notify region; anything
 * else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/virtio/virtio_pci.h"
#include "sdk/virtio/virtq_testdev.h"

struct fake {
	uint64_t bar_size[6];
	uint8_t cfg[256];
	const uint8_t *answers;
	size_t left;
};

static enum lm_err f_config_read(void *ctx, uint16_t off, unsigned width, uint32_t *value)
{
	struct fake *f = ctx;
	uint32_t v = 0;

	if ((width != 1 && width != 2 && width != 4) || off % width || off + width > 256)
		abort();
	memcpy(&v, f->cfg + off, width);
	*value = v;
	return LM_OK;
}

static uint64_t f_bar_size(void *ctx, unsigned bar)
{
	struct fake *f = ctx;

	if (bar > 5)
		abort();
	return f->bar_size[bar];
}

static void check_access(struct fake *f, unsigned bar, uint64_t off, unsigned width)
{
	if (bar > 5 || (width != 1 && width != 2 && width != 4) || off % width ||
	    off + width > f->bar_size[bar])
		abort();
}

static uint32_t f_bar_read(void *ctx, unsigned bar, uint64_t off, unsigned width)
{
	struct fake *f = ctx;
	uint32_t v = 0;

	check_access(f, bar, off, width);
	if (f->left >= 4) {
		memcpy(&v, f->answers, 4);
		f->answers += 4;
		f->left -= 4;
	}
	return width == 4 ? v : v & ((1u << (8 * width)) - 1);
}

static void f_bar_write(void *ctx, unsigned bar, uint64_t off, unsigned width, uint32_t value)
{
	check_access(ctx, bar, off, width);
}

static void check_region(const struct fake *f, const struct virtio_pci_region *r)
{
	if (r->present && (r->bar > 5 || (uint64_t)r->offset + r->length > f->bar_size[r->bar]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake f;
	struct virtio_pci_ops ops = {f_config_read, f_bar_size, f_bar_read, f_bar_write, &f};
	struct virtio_pci d;
	uint64_t v;

	if (size < 6 + 256)
		return 0;
	memset(&f, 0, sizeof f);
	for (unsigned i = 0; i < 6; i++)
		f.bar_size[i] = data[i] ? 1ull << (data[i] % 24) : 0;
	memcpy(f.cfg, data + 6, 256);
	f.answers = data + 6 + 256;
	f.left = size - 6 - 256;

	if (virtio_pci_init(&d, &ops) != LM_OK)
		return 0;
	check_region(&f, &d.common);
	check_region(&f, &d.notify);
	check_region(&f, &d.isr);
	check_region(&f, &d.device);
	if (!d.common.present || !d.notify.present || !d.isr.present || d.common.length < 0x38)
		abort();
	if (virtio_pci_negotiate(&d, ~0ull) == LM_OK && !(d.features & VIRTIO_F_VERSION_1))
		abort();
	for (uint16_t i = 0; i < 4; i++) {
		struct virtio_pci_queue q;

		if (virtio_pci_queue_setup(&d, i, 64, i, &virtq_testdev_dma, &q) != LM_OK)
			continue;
		if (q.notify_offset < d.notify.offset ||
		    q.notify_offset + 2 > (uint64_t)d.notify.offset + d.notify.length ||
		    virtq_size(q.vq) > 64)
			abort();
		virtio_pci_notify(&d, &q);
		virtq_destroy(q.vq);
	}
	for (uint32_t off = 0; off < 16; off += 4)
		virtio_pci_device_read(&d, off, 4, &v);
	virtio_pci_device_read(&d, 0, 8, &v);
	virtio_pci_isr(&d);
	if (virtq_testdev_dma_held != 0)
		abort();
	return 0;
}
