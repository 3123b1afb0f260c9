/*
 * The virtio 1.x PCI transport (sdk/virtio/virtio_pci.h).
 *
 * The device's structures are found through vendor-specific capabilities
 * (id 9), each naming a memory BAR, an offset and a length:
 *
 *     cap+0 id  +1 next  +2 cap_len  +3 cfg_type  +4 bar  +8 offset  +12 length
 *     notify's adds +16 notify_off_multiplier
 *
 * The first usable capability of each type wins, as the specification
 * asks. The common configuration holds the handshake and, through
 * queue_select, each queue's registers; 64-bit registers are written as
 * two 32-bit halves, low first, which the specification allows.
 */
#include "sdk/virtio/virtio_pci.h"

/* PCI configuration space. */
#define PCI_STATUS 0x06
#define PCI_STATUS_CAPS 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_VENDOR 0x09
#define CAPS_MAX 48 /* more can only be a loop */

/* cfg_type of a virtio capability. */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* The common configuration structure (specification 4.1.4.3). */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX 0x10
#define COMMON_NUMQ 0x12
#define COMMON_STATUS 0x14
#define COMMON_CFGGEN 0x15
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESC 0x20
#define COMMON_Q_AVAIL 0x28
#define COMMON_Q_USED 0x30
#define COMMON_BYTES 0x38

#define GENERATION_TRIES 64

static uint32_t rd(struct virtio_pci *d, const struct virtio_pci_region *r, uint32_t off,
		   unsigned width)
{
	return d->ops.bar_read(d->ops.ctx, r->bar, (uint64_t)r->offset + off, width);
}

static void wr(struct virtio_pci *d, const struct virtio_pci_region *r, uint32_t off,
	       unsigned width, uint32_t value)
{
	d->ops.bar_write(d->ops.ctx, r->bar, (uint64_t)r->offset + off, width, value);
}

static void wr64(struct virtio_pci *d, uint32_t off, uint64_t value)
{
	wr(d, &d->common, off, 4, (uint32_t)value);
	wr(d, &d->common, off + 4, 4, (uint32_t)(value >> 32));
}

/* A capability's region, if it lies inside a memory BAR, is at least min
 * bytes long and starts aligned to align (so that every register in it is
 * naturally aligned, as the transport reads and writes them). */
static bool region_of(struct virtio_pci *d, uint8_t bar, uint32_t offset, uint32_t length,
		      uint32_t min, uint32_t align, struct virtio_pci_region *out)
{
	uint64_t size;

	if (bar > 5 || length < min || offset % align)
		return false;
	size = d->ops.bar_size(d->ops.ctx, bar);
	if ((uint64_t)offset + length > size)
		return false;
	*out = (struct virtio_pci_region){.present = true, .bar = bar, .offset = offset,
					  .length = length};
	return true;
}

/* One vendor capability at cap: note it if it is the first usable one of
 * its type. */
static enum lm_err note_cap(struct virtio_pci *d, uint16_t cap)
{
	uint32_t head, barword, offset, length, mult = 0;
	uint8_t len, type, bar;
	struct virtio_pci_region r, *slot;
	uint32_t min, align = 4;
	enum lm_err err;

	if ((err = d->ops.config_read(d->ops.ctx, cap, 4, &head)))
		return err;
	len = (uint8_t)(head >> 16);
	type = (uint8_t)(head >> 24);
	if (len < 16 || cap + 16 > 256)
		return LM_OK;
	if ((err = d->ops.config_read(d->ops.ctx, (uint16_t)(cap + 4), 4, &barword)) ||
	    (err = d->ops.config_read(d->ops.ctx, (uint16_t)(cap + 8), 4, &offset)) ||
	    (err = d->ops.config_read(d->ops.ctx, (uint16_t)(cap + 12), 4, &length)))
		return err;
	switch (type) {
	case CAP_COMMON:
		slot = &d->common, min = COMMON_BYTES;
		break;
	case CAP_NOTIFY:
		if (len < 20 || cap + 20 > 256)
			return LM_OK;
		if ((err = d->ops.config_read(d->ops.ctx, (uint16_t)(cap + 16), 4, &mult)))
			return err;
		if (mult % 2)
			return LM_OK; /* doorbells must be 2-byte aligned */
		slot = &d->notify, min = 2, align = 2;
		break;
	case CAP_ISR:
		slot = &d->isr, min = 1, align = 1;
		break;
	case CAP_DEVICE:
		slot = &d->device, min = 1;
		break;
	default:
		return LM_OK; /* PCI configuration access, shared memory, reserved */
	}
	bar = (uint8_t)barword;
	if (slot->present || !region_of(d, bar, offset, length, min, align, &r))
		return LM_OK;
	*slot = r;
	if (type == CAP_NOTIFY)
		d->notify_multiplier = mult;
	return LM_OK;
}

enum lm_err virtio_pci_init(struct virtio_pci *d, const struct virtio_pci_ops *ops)
{
	uint32_t v;
	uint16_t cap;
	enum lm_err err;

	*d = (struct virtio_pci){.ops = *ops};
	if ((err = ops->config_read(ops->ctx, PCI_STATUS, 2, &v)))
		return err;
	if (!(v & PCI_STATUS_CAPS))
		return LM_ERR_UNSUPPORTED;
	if ((err = ops->config_read(ops->ctx, PCI_CAP_PTR, 1, &v)))
		return err;
	cap = v & 0xfc;
	for (unsigned n = 0; cap >= 0x40 && n < CAPS_MAX; n++) {
		uint32_t head;

		if ((err = ops->config_read(ops->ctx, cap, 4, &head)))
			return err;
		if ((head & 0xff) == PCI_CAP_VENDOR && (err = note_cap(d, cap)))
			return err;
		cap = (head >> 8) & 0xfc;
	}
	if (!d->common.present || !d->notify.present || !d->isr.present)
		return LM_ERR_UNSUPPORTED;
	d->num_queues = (uint16_t)rd(d, &d->common, COMMON_NUMQ, 2);
	return LM_OK;
}

uint8_t virtio_pci_status(struct virtio_pci *d)
{
	return (uint8_t)rd(d, &d->common, COMMON_STATUS, 1);
}

static void status_add(struct virtio_pci *d, uint8_t bits)
{
	wr(d, &d->common, COMMON_STATUS, 1, virtio_pci_status(d) | bits);
}

enum lm_err virtio_pci_reset(struct virtio_pci *d)
{
	wr(d, &d->common, COMMON_STATUS, 1, 0);
	for (unsigned n = 0; n < VIRTIO_PCI_RESET_POLLS; n++)
		if (virtio_pci_status(d) == 0)
			return LM_OK;
	return LM_ERR_TIMEOUT;
}

enum lm_err virtio_pci_negotiate(struct virtio_pci *d, uint64_t wanted)
{
	uint64_t offered;
	enum lm_err err;

	if ((err = virtio_pci_reset(d)))
		return err;
	status_add(d, VIRTIO_STATUS_ACKNOWLEDGE);
	status_add(d, VIRTIO_STATUS_DRIVER);
	wr(d, &d->common, COMMON_DFSELECT, 4, 0);
	offered = rd(d, &d->common, COMMON_DF, 4);
	wr(d, &d->common, COMMON_DFSELECT, 4, 1);
	offered |= (uint64_t)rd(d, &d->common, COMMON_DF, 4) << 32;
	if (!(offered & VIRTIO_F_VERSION_1)) {
		virtio_pci_fail(d);
		return LM_ERR_UNSUPPORTED;
	}
	d->features = (offered & wanted) | VIRTIO_F_VERSION_1;
	wr(d, &d->common, COMMON_GFSELECT, 4, 0);
	wr(d, &d->common, COMMON_GF, 4, (uint32_t)d->features);
	wr(d, &d->common, COMMON_GFSELECT, 4, 1);
	wr(d, &d->common, COMMON_GF, 4, (uint32_t)(d->features >> 32));
	status_add(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_pci_fail(d);
		d->features = 0;
		return LM_ERR_UNSUPPORTED;
	}
	return LM_OK;
}

/* The largest power of two not above v (v > 0). */
static uint16_t power_below(uint16_t v)
{
	uint16_t p = 1;

	while (p <= v / 2)
		p = (uint16_t)(p * 2);
	return p;
}

enum lm_err virtio_pci_queue_setup(struct virtio_pci *d, uint16_t index, uint16_t max_size,
				   uint16_t msix_vector, const struct virtio_dma_ops *dma,
				   struct virtio_pci_queue *out)
{
	uint16_t size, noff;
	uint64_t notify;
	struct virtq *vq;
	enum lm_err err;

	if (index >= d->num_queues)
		return LM_ERR_RANGE;
	if (max_size == 0)
		return LM_ERR_INVAL;
	wr(d, &d->common, COMMON_Q_SELECT, 2, index);
	size = (uint16_t)rd(d, &d->common, COMMON_Q_SIZE, 2);
	if (size == 0)
		return LM_ERR_NOENT;
	if (rd(d, &d->common, COMMON_Q_ENABLE, 2))
		return LM_ERR_BUSY;
	if (size > max_size)
		size = max_size;
	if (size > VIRTQ_SIZE_MAX)
		size = VIRTQ_SIZE_MAX;
	size = power_below(size);

	noff = (uint16_t)rd(d, &d->common, COMMON_Q_NOFF, 2);
	notify = (uint64_t)noff * d->notify_multiplier;
	if (notify + 2 > d->notify.length)
		return LM_ERR_FORMAT;

	if ((err = virtq_create(size, d->features & VIRTIO_F_RING_EVENT_IDX, dma, &vq)))
		return err;
	wr(d, &d->common, COMMON_Q_SIZE, 2, size);
	wr64(d, COMMON_Q_DESC, virtq_desc_phys(vq));
	wr64(d, COMMON_Q_AVAIL, virtq_avail_phys(vq));
	wr64(d, COMMON_Q_USED, virtq_used_phys(vq));
	wr(d, &d->common, COMMON_Q_MSIX, 2, msix_vector);
	if (rd(d, &d->common, COMMON_Q_MSIX, 2) != msix_vector) {
		virtq_destroy(vq);
		return LM_ERR_FULL;
	}
	wr(d, &d->common, COMMON_Q_ENABLE, 2, 1);
	*out = (struct virtio_pci_queue){
		.vq = vq, .index = index, .notify_offset = d->notify.offset + notify};
	return LM_OK;
}

void virtio_pci_notify(struct virtio_pci *d, const struct virtio_pci_queue *q)
{
	d->ops.bar_write(d->ops.ctx, d->notify.bar, q->notify_offset, 2, q->index);
}

void virtio_pci_kick(struct virtio_pci *d, const struct virtio_pci_queue *q)
{
	if (virtq_publish(q->vq))
		virtio_pci_notify(d, q);
}

enum lm_err virtio_pci_config_vector(struct virtio_pci *d, uint16_t msix_vector)
{
	wr(d, &d->common, COMMON_MSIX, 2, msix_vector);
	return rd(d, &d->common, COMMON_MSIX, 2) == msix_vector ? LM_OK : LM_ERR_FULL;
}

enum lm_err virtio_pci_device_read(struct virtio_pci *d, uint32_t offset, unsigned width,
				   uint64_t *value)
{
	unsigned align = width < 4 ? width : 4;

	if (width != 1 && width != 2 && width != 4 && width != 8)
		return LM_ERR_INVAL;
	if (offset % align)
		return LM_ERR_INVAL;
	if (!d->device.present || (uint64_t)offset + width > d->device.length)
		return LM_ERR_RANGE;
	for (unsigned n = 0; n < GENERATION_TRIES; n++) {
		uint32_t gen = rd(d, &d->common, COMMON_CFGGEN, 1);
		uint64_t v;

		if (width == 8)
			v = rd(d, &d->device, offset, 4) |
			    (uint64_t)rd(d, &d->device, offset + 4, 4) << 32;
		else
			v = rd(d, &d->device, offset, width);
		if (rd(d, &d->common, COMMON_CFGGEN, 1) == gen) {
			*value = v;
			return LM_OK;
		}
	}
	return LM_ERR_BUSY;
}

void virtio_pci_ready(struct virtio_pci *d)
{
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_pci_fail(struct virtio_pci *d)
{
	status_add(d, VIRTIO_STATUS_FAILED);
}

uint8_t virtio_pci_isr(struct virtio_pci *d)
{
	return (uint8_t)rd(d, &d->isr, 0, 1);
}
