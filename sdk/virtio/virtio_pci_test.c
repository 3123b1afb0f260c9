/*
 * Host tests of the virtio PCI transport (sdk/virtio/virtio_pci.c) on a
 * fake modern virtio function: a configuration space with the vendor
 * capabilities, and BAR 4 whose common configuration behaves as the
 * specification says (feature windows, status, queue_select and each
 * queue's registers, MSI-X entries it may refuse, a configuration
 * generation), a notify region that records doorbells, an ISR byte and
 * device configuration bytes. Variants make it misbehave.
 */
#include <string.h>

#include "lib/test.h"
#include "sdk/virtio/virtio_pci.h"
#include "sdk/virtio/virtq_testdev.h"

#define BAR 4
#define BAR_SIZE 0x4000u
#define NOTIFY_AT 0x3000u
#define QUEUES 3

struct fq {
	uint16_t size_max, size, msix, enable, notify_off;
	uint64_t desc, avail, used;
};

struct fake {
	uint8_t cfg[256];
	uint64_t offered, accepted;
	uint32_t dfselect, gfselect;
	uint16_t msix_config, msix_entries;
	uint8_t status, generation;
	uint16_t select;
	struct fq q[QUEUES];
	uint8_t isr;
	uint8_t device_cfg[16];
	bool refuse_features;    /* FEATURES_OK never sticks */
	unsigned reset_reads;    /* status reads before a reset shows 0 (~0u: never) */
	unsigned reset_pending;
	unsigned generation_bumps; /* device config reads that change the generation */
	unsigned notifies;
	uint64_t notify_offset;
	uint32_t notify_value;
};

static void put32(struct fake *f, unsigned off, uint32_t v)
{
	memcpy(f->cfg + off, &v, 4);
}

/* A vendor capability at off: type, BAR, offset, length; next at next. */
static void cap(struct fake *f, unsigned off, unsigned next, uint8_t type, uint8_t len,
		uint8_t bar, uint32_t offset, uint32_t length)
{
	put32(f, off, 0x09u | next << 8 | (uint32_t)len << 16 | (uint32_t)type << 24);
	put32(f, off + 4, bar);
	put32(f, off + 8, offset);
	put32(f, off + 12, length);
}

/* msix (0x40) -> common (0x50) -> notify (0x64, multiplier 4) -> isr
 * (0x78) -> device (0x88). */
static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	f->cfg[0x06] = 0x10;
	f->cfg[0x34] = 0x40;
	put32(f, 0x40, 0x11u | 0x50u << 8);
	cap(f, 0x50, 0x64, 1, 16, BAR, 0x0000, 0x38);
	cap(f, 0x64, 0x78, 2, 20, BAR, NOTIFY_AT, 0x1000);
	put32(f, 0x74, 4);
	cap(f, 0x78, 0x88, 3, 16, BAR, 0x1000, 0x1000);
	cap(f, 0x88, 0x00, 4, 16, BAR, 0x2000, 16);
	f->offered = VIRTIO_F_VERSION_1 | VIRTIO_F_RING_EVENT_IDX | 1u << 5 | 1u << 9;
	f->msix_entries = 4;
	for (unsigned i = 0; i < QUEUES; i++)
		f->q[i] = (struct fq){.size_max = 256, .size = 256, .notify_off = (uint16_t)i};
	for (unsigned i = 0; i < sizeof f->device_cfg; i++)
		f->device_cfg[i] = (uint8_t)(0x10 + i);
}

static enum lm_err f_config_read(void *ctx, uint16_t off, unsigned width, uint32_t *value)
{
	struct fake *f = ctx;
	uint32_t v = 0;

	if (off % width || off + width > sizeof f->cfg)
		return LM_ERR_RANGE;
	memcpy(&v, f->cfg + off, width);
	*value = v;
	return LM_OK;
}

static uint64_t f_bar_size(void *ctx, unsigned bar)
{
	return bar == BAR ? BAR_SIZE : 0;
}

static struct fq *selected(struct fake *f)
{
	return f->select < QUEUES ? &f->q[f->select] : NULL;
}

static uint32_t f_bar_read(void *ctx, unsigned bar, uint64_t off, unsigned width)
{
	struct fake *f = ctx;
	struct fq *q = selected(f);

	if (bar != BAR || off + width > BAR_SIZE)
		return 0xffffffffu;
	if (off >= 0x2000 && off < 0x2000 + sizeof f->device_cfg) {
		uint32_t v = 0;

		if (f->generation_bumps) {
			f->generation_bumps--;
			f->generation++;
		}
		memcpy(&v, f->device_cfg + (off - 0x2000), width);
		return v;
	}
	if (off == 0x1000) {
		uint8_t v = f->isr;

		f->isr = 0;
		return v;
	}
	switch (off) {
	case 0x04:
		return f->dfselect == 0 ? (uint32_t)f->offered
		       : f->dfselect == 1 ? (uint32_t)(f->offered >> 32) : 0;
	case 0x10:
		return f->msix_config;
	case 0x12:
		return QUEUES;
	case 0x14:
		if (f->reset_pending) {
			if (f->reset_pending != ~0u)
				f->reset_pending--;
			return 1;
		}
		return f->status;
	case 0x15:
		return f->generation;
	case 0x16:
		return f->select;
	case 0x18:
		return q ? q->size : 0;
	case 0x1a:
		return q ? q->msix : 0xffff;
	case 0x1c:
		return q ? q->enable : 0;
	case 0x1e:
		return q ? q->notify_off : 0;
	}
	return 0;
}

static void set_half(uint64_t *reg, uint64_t off, uint64_t base, uint32_t v)
{
	if (off == base)
		*reg = (*reg & ~0xffffffffull) | v;
	else
		*reg = (*reg & 0xffffffffull) | (uint64_t)v << 32;
}

static void f_bar_write(void *ctx, unsigned bar, uint64_t off, unsigned width, uint32_t v)
{
	struct fake *f = ctx;
	struct fq *q = selected(f);

	if (bar != BAR || off + width > BAR_SIZE)
		return;
	if (off >= NOTIFY_AT) {
		f->notifies++;
		f->notify_offset = off;
		f->notify_value = v;
		return;
	}
	switch (off) {
	case 0x00:
		f->dfselect = v;
		return;
	case 0x08:
		f->gfselect = v;
		return;
	case 0x0c:
		if (f->gfselect == 0)
			f->accepted = (f->accepted & ~0xffffffffull) | v;
		else if (f->gfselect == 1)
			f->accepted = (f->accepted & 0xffffffffull) | (uint64_t)v << 32;
		return;
	case 0x10:
		f->msix_config = v < f->msix_entries || v == 0xffff ? (uint16_t)v : 0xffff;
		return;
	case 0x14:
		if (v == 0) {
			f->status = 0;
			f->accepted = 0;
			f->reset_pending = f->reset_reads;
			for (unsigned i = 0; i < QUEUES; i++)
				f->q[i].enable = 0;
			return;
		}
		if ((v & VIRTIO_STATUS_FEATURES_OK) &&
		    (f->refuse_features || (f->accepted & ~f->offered)))
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		f->status = (uint8_t)v;
		return;
	case 0x16:
		f->select = (uint16_t)v;
		return;
	}
	if (!q)
		return;
	if (off == 0x18)
		q->size = (uint16_t)v;
	else if (off == 0x1a)
		q->msix = v < f->msix_entries || v == 0xffff ? (uint16_t)v : 0xffff;
	else if (off == 0x1c)
		q->enable = (uint16_t)v;
	else if (off == 0x20 || off == 0x24)
		set_half(&q->desc, off, 0x20, v);
	else if (off == 0x28 || off == 0x2c)
		set_half(&q->avail, off, 0x28, v);
	else if (off == 0x30 || off == 0x34)
		set_half(&q->used, off, 0x30, v);
}

static struct virtio_pci_ops fake_ops(struct fake *f)
{
	return (struct virtio_pci_ops){f_config_read, f_bar_size, f_bar_read, f_bar_write, f};
}

TEST(virtio_pci, finds_the_devices_structures)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	ops = fake_ops(&f);
	ASSERT_EQ(virtio_pci_init(&d, &ops), LM_OK);
	EXPECT(d.common.present && d.notify.present && d.isr.present && d.device.present);
	EXPECT_EQ(d.common.bar, BAR);
	EXPECT_EQ(d.common.offset, 0);
	EXPECT_EQ(d.notify.offset, NOTIFY_AT);
	EXPECT_EQ(d.notify.length, 0x1000);
	EXPECT_EQ(d.notify_multiplier, 4);
	EXPECT_EQ(d.isr.offset, 0x1000);
	EXPECT_EQ(d.device.offset, 0x2000);
	EXPECT_EQ(d.device.length, 16);
	EXPECT_EQ(d.num_queues, QUEUES);
}

/* A common configuration past the BAR's end, then a good one: the first
 * usable one wins. A capability with a BAR that is not memory is skipped. */
TEST(virtio_pci, skips_structures_outside_their_bar)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	put32(&f, 0x40, 0x11u | 0x98u << 8);
	cap(&f, 0x98, 0xa8, 1, 16, BAR, BAR_SIZE - 0x10, 0x38);   /* runs past the end */
	cap(&f, 0xa8, 0xb8, 1, 16, 2, 0, 0x38);                   /* BAR 2: none */
	cap(&f, 0xb8, 0xc8, 1, 16, 9, 0, 0x38);                   /* no such BAR */
	cap(&f, 0xc8, 0xd8, 1, 16, BAR, 0xffffffffu, 0x38);       /* offset wraps */
	cap(&f, 0xd8, 0xe8, 1, 16, BAR, 0x100, 0x10);             /* too short */
	cap(&f, 0xe8, 0x50, 1, 16, BAR, 0x102, 0x38);             /* misaligned */
	ops = fake_ops(&f);
	ASSERT_EQ(virtio_pci_init(&d, &ops), LM_OK);
	EXPECT_EQ(d.common.offset, 0); /* the original, at 0x50 */
}

/* Doorbells at odd addresses: a notify region at an odd offset, or an odd
 * multiplier, is skipped like any unusable capability. */
TEST(virtio_pci, skips_a_notify_region_that_would_misalign_doorbells)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	cap(&f, 0x64, 0x78, 2, 20, BAR, NOTIFY_AT + 1, 0x100);
	ops = fake_ops(&f);
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_ERR_UNSUPPORTED);
	fake_init(&f);
	put32(&f, 0x74, 3);
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_ERR_UNSUPPORTED);
}

TEST(virtio_pci, a_function_without_the_modern_structures_is_unsupported)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	f.cfg[0x06] = 0; /* no capability list */
	ops = fake_ops(&f);
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_ERR_UNSUPPORTED);

	fake_init(&f);
	cap(&f, 0x64, 0x78, 2, 20, BAR, NOTIFY_AT, 0x10000); /* notify past the BAR */
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_ERR_UNSUPPORTED);

	fake_init(&f);
	cap(&f, 0x64, 0x78, 2, 16, BAR, NOTIFY_AT, 0x1000); /* no room for the multiplier */
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_ERR_UNSUPPORTED);
}

/* A list that loops back on itself ends; a capability at the top of the
 * configuration space is not read past its end. */
TEST(virtio_pci, a_looping_capability_list_ends)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	cap(&f, 0x88, 0x50, 4, 16, BAR, 0x2000, 16); /* device -> common again */
	ops = fake_ops(&f);
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_OK);

	fake_init(&f);
	cap(&f, 0x88, 0xfc, 4, 16, BAR, 0x2000, 16);
	put32(&f, 0xfc, 0x09u | 0xfcu << 8 | 16u << 16 | 1u << 24);
	EXPECT_EQ(virtio_pci_init(&d, &ops), LM_OK);
}

TEST(virtio_pci, negotiation_offers_the_common_subset_and_version_1)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	f.status = 0x0f; /* left over from an earlier driver */
	ops = fake_ops(&f);
	ASSERT_EQ(virtio_pci_init(&d, &ops), LM_OK);
	ASSERT_EQ(virtio_pci_negotiate(&d, VIRTIO_F_RING_EVENT_IDX | 1u << 5 | 1u << 6), LM_OK);
	EXPECT_EQ(f.accepted, VIRTIO_F_VERSION_1 | VIRTIO_F_RING_EVENT_IDX | 1u << 5);
	EXPECT_EQ(d.features, f.accepted);
	EXPECT_EQ(f.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				    VIRTIO_STATUS_FEATURES_OK);
	virtio_pci_ready(&d);
	EXPECT_EQ(f.status & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
}

TEST(virtio_pci, a_device_without_version_1_or_that_refuses_features_fails)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	f.offered = 1u << 5; /* legacy only */
	ops = fake_ops(&f);
	ASSERT_EQ(virtio_pci_init(&d, &ops), LM_OK);
	EXPECT_EQ(virtio_pci_negotiate(&d, 1u << 5), LM_ERR_UNSUPPORTED);
	EXPECT(f.status & VIRTIO_STATUS_FAILED);

	fake_init(&f);
	f.refuse_features = true;
	ASSERT_EQ(virtio_pci_init(&d, &ops), LM_OK);
	EXPECT_EQ(virtio_pci_negotiate(&d, 0), LM_ERR_UNSUPPORTED);
	EXPECT(f.status & VIRTIO_STATUS_FAILED);
	EXPECT_EQ(d.features, 0);
}

TEST(virtio_pci, reset_waits_for_the_device_but_not_forever)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	f.reset_reads = 1000;
	ops = fake_ops(&f);
	ASSERT_EQ(virtio_pci_init(&d, &ops), LM_OK);
	EXPECT_EQ(virtio_pci_reset(&d), LM_OK);
	EXPECT_EQ(f.reset_pending, 0);

	f.reset_reads = ~0u;
	EXPECT_EQ(virtio_pci_reset(&d), LM_ERR_TIMEOUT);
}

static void start(struct fake *f, struct virtio_pci *d, struct virtio_pci_ops *ops)
{
	*ops = fake_ops(f);
	EXPECT_EQ(virtio_pci_init(d, ops), LM_OK);
	EXPECT_EQ(virtio_pci_negotiate(d, VIRTIO_F_RING_EVENT_IDX), LM_OK);
}

/* The device offers 200 entries: the queue gets 128, the largest power of
 * two that fits; its rings' addresses and MSI-X entry reach the device. */
TEST(virtio_pci, queue_setup_tells_the_device_where_the_rings_are)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;
	struct virtio_pci_queue q;

	fake_init(&f);
	f.q[1].size = 200;
	start(&f, &d, &ops);
	ASSERT_EQ(virtio_pci_queue_setup(&d, 1, 1024, 2, &virtq_testdev_dma, &q), LM_OK);
	EXPECT_EQ(virtq_size(q.vq), 128);
	EXPECT_EQ(f.q[1].size, 128);
	EXPECT_EQ(f.q[1].desc, virtq_desc_phys(q.vq));
	EXPECT_EQ(f.q[1].avail, virtq_avail_phys(q.vq));
	EXPECT_EQ(f.q[1].used, virtq_used_phys(q.vq));
	EXPECT_EQ(f.q[1].msix, 2);
	EXPECT_EQ(f.q[1].enable, 1);
	EXPECT_EQ(q.index, 1);
	EXPECT_EQ(q.notify_offset, NOTIFY_AT + 1 * 4);
	EXPECT_EQ(f.q[0].enable, 0);
	virtq_destroy(q.vq);

	/* The driver's own limit. */
	ASSERT_EQ(virtio_pci_queue_setup(&d, 0, 16, VIRTIO_MSIX_NONE, &virtq_testdev_dma, &q),
		  LM_OK);
	EXPECT_EQ(virtq_size(q.vq), 16);
	EXPECT_EQ(f.q[0].msix, VIRTIO_MSIX_NONE);
	virtq_destroy(q.vq);
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}

TEST(virtio_pci, queue_setup_refuses_what_cannot_work)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;
	struct virtio_pci_queue q;

	fake_init(&f);
	f.q[2].size = 0;
	start(&f, &d, &ops);
	EXPECT_EQ(virtio_pci_queue_setup(&d, 3, 64, 0, &virtq_testdev_dma, &q), LM_ERR_RANGE);
	EXPECT_EQ(virtio_pci_queue_setup(&d, 2, 64, 0, &virtq_testdev_dma, &q), LM_ERR_NOENT);
	EXPECT_EQ(virtio_pci_queue_setup(&d, 0, 0, 0, &virtq_testdev_dma, &q), LM_ERR_INVAL);
	EXPECT_EQ(virtio_pci_queue_setup(&d, 0, 64, 9, &virtq_testdev_dma, &q), LM_ERR_FULL);
	EXPECT_EQ(f.q[0].enable, 0);
	f.q[1].notify_off = 0x400; /* 0x400 * 4: past the 4 KiB notify region */
	EXPECT_EQ(virtio_pci_queue_setup(&d, 1, 64, 0, &virtq_testdev_dma, &q), LM_ERR_FORMAT);
	f.q[1].notify_off = 0x3ff; /* the last doorbell that fits */
	ASSERT_EQ(virtio_pci_queue_setup(&d, 1, 64, 0, &virtq_testdev_dma, &q), LM_OK);
	EXPECT_EQ(q.notify_offset, NOTIFY_AT + 0x3ff * 4);
	virtq_destroy(q.vq);
	EXPECT_EQ(virtio_pci_queue_setup(&d, 1, 64, 0, &virtq_testdev_dma, &q), LM_ERR_BUSY);
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}

/* A chain through the whole transport: setup, kick (the doorbell rings
 * with the queue's number), the device finishes it, the driver harvests. */
TEST(virtio_pci, a_request_goes_through_a_queue)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;
	struct virtio_pci_queue q;
	struct virtq_testdev dev;
	struct virtq_buf b[2] = {{0x5000, 16}, {0x6000, 512}};
	struct virtq_done done;
	static char token;
	uint16_t head;

	fake_init(&f);
	f.offered &= ~VIRTIO_F_RING_EVENT_IDX;
	start(&f, &d, &ops);
	ASSERT_EQ(virtio_pci_queue_setup(&d, 2, 8, 1, &virtq_testdev_dma, &q), LM_OK);
	virtio_pci_ready(&d);
	virtq_testdev_attach(&dev, q.vq);
	ASSERT_EQ(virtq_add(q.vq, b, 1, 1, &token), LM_OK);
	virtio_pci_kick(&d, &q);
	EXPECT_EQ(f.notifies, 1);
	EXPECT_EQ(f.notify_offset, NOTIFY_AT + 2 * 4);
	EXPECT_EQ(f.notify_value, 2);
	ASSERT(virtq_testdev_pop(&dev, &head));
	virtq_testdev_push(&dev, head, 512);
	ASSERT_EQ(virtq_harvest(q.vq, &done), LM_OK);
	EXPECT(done.token == &token);

	*dev.used_flags = VIRTQ_USED_F_NO_NOTIFY; /* the device is polling */
	ASSERT_EQ(virtq_add(q.vq, b, 1, 1, &token), LM_OK);
	virtio_pci_kick(&d, &q);
	EXPECT_EQ(f.notifies, 1);
	virtq_destroy(q.vq);
}

TEST(virtio_pci, msix_config_vector_and_isr)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;

	fake_init(&f);
	start(&f, &d, &ops);
	EXPECT_EQ(virtio_pci_config_vector(&d, 3), LM_OK);
	EXPECT_EQ(f.msix_config, 3);
	EXPECT_EQ(virtio_pci_config_vector(&d, 4), LM_ERR_FULL);
	f.isr = 3;
	EXPECT_EQ(virtio_pci_isr(&d), 3);
	EXPECT_EQ(virtio_pci_isr(&d), 0);
}

TEST(virtio_pci, device_configuration_is_read_under_one_generation)
{
	struct fake f;
	struct virtio_pci d;
	struct virtio_pci_ops ops;
	uint64_t v = 0;

	fake_init(&f);
	start(&f, &d, &ops);
	ASSERT_EQ(virtio_pci_device_read(&d, 0, 8, &v), LM_OK);
	EXPECT_EQ(v, 0x1716151413121110ull);
	ASSERT_EQ(virtio_pci_device_read(&d, 6, 2, &v), LM_OK);
	EXPECT_EQ(v, 0x1716);
	ASSERT_EQ(virtio_pci_device_read(&d, 15, 1, &v), LM_OK);
	EXPECT_EQ(v, 0x1f);
	EXPECT_EQ(virtio_pci_device_read(&d, 12, 8, &v), LM_ERR_RANGE);
	EXPECT_EQ(virtio_pci_device_read(&d, 16, 1, &v), LM_ERR_RANGE);
	EXPECT_EQ(virtio_pci_device_read(&d, 0xfffffffcu, 4, &v), LM_ERR_RANGE);
	EXPECT_EQ(virtio_pci_device_read(&d, 1, 2, &v), LM_ERR_INVAL);
	EXPECT_EQ(virtio_pci_device_read(&d, 0, 3, &v), LM_ERR_INVAL);

	f.generation_bumps = 5; /* changes under the first reads, then settles */
	v = 0;
	ASSERT_EQ(virtio_pci_device_read(&d, 8, 8, &v), LM_OK);
	EXPECT_EQ(v, 0x1f1e1d1c1b1a1918ull);
	f.generation_bumps = ~0u;
	EXPECT_EQ(virtio_pci_device_read(&d, 0, 4, &v), LM_ERR_BUSY);

	fake_init(&f);
	cap(&f, 0x78, 0x00, 3, 16, BAR, 0x1000, 0x1000); /* no device configuration */
	start(&f, &d, &ops);
	EXPECT_EQ(virtio_pci_device_read(&d, 0, 1, &v), LM_ERR_RANGE);
}
