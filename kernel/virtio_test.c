/*
 * In-kernel tests of the virtio library (sdk/virtio/) against QEMU's own
 * virtio block device: found and reached through the Pci door as a driver
 * program will (virtio_pci_door.c), set up by the transport
 * (virtio_pci.c), and asked for its serial number and a sector through one
 * split virtqueue (virtq.c), polled: one at a time and sixteen in flight. Ring and request memory are kernel
 * pages, standing in for the Memory door. They are in the pci suite
 * because they need its devices (tests/pci.t; tests/kernel.t leaves them
 * out).
 */
#include <lemmings/pci.h>

#include "arch/vm.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "lib/test.h"
#include "sdk/virtio/virtio_pci_door.h"

/* tests/pci.t gives the block device this serial number. */
#define SERIAL "lemmings-virtio"

#define BLK_T_IN 0
#define BLK_T_GET_ID 8
#define BLK_S_OK 0

/* One page per allocation: enough for a 64-entry queue. */
static enum lm_err page_alloc(void *ctx, size_t bytes, struct virtio_dma *out)
{
	uint64_t phys;

	if (bytes > 4096)
		return LM_ERR_NOMEM;
	phys = pmm_alloc_zeroed_page();
	if (!phys)
		return LM_ERR_NOMEM;
	*out = (struct virtio_dma){.virt = phys_to_virt(phys), .phys = phys, .bytes = 4096};
	return LM_OK;
}

static void page_free(void *ctx, const struct virtio_dma *mem)
{
	pmm_free_page(mem->phys);
}

static const struct virtio_dma_ops pages = {page_alloc, page_free, NULL};

struct blk_req {
	uint32_t type, reserved;
	uint64_t sector;
};

struct blk {
	struct virtio_pci_door door;
	struct virtio_pci dev;
	struct virtio_pci_queue q;
};

/* Fails the test (test_failed) if the device cannot be set up. */
static void blk_start(struct blk *b)
{
	const struct pci_door *door = pci_door_find();
	struct virtio_pci_ops ops;
	pci_func f = 0;

	ASSERT(door);
	ASSERT_EQ(virtio_pci_door_find(door, VIRTIO_TYPE_BLOCK, &f), LM_OK);
	ASSERT_EQ(virtio_pci_door_open(&b->door, door, f, &ops), LM_OK);
	ASSERT_EQ(virtio_pci_init(&b->dev, &ops), LM_OK);
	ASSERT_EQ(virtio_pci_negotiate(&b->dev, VIRTIO_F_RING_EVENT_IDX), LM_OK);
	ASSERT(b->dev.features & VIRTIO_F_VERSION_1);
	ASSERT_EQ(virtio_pci_queue_setup(&b->dev, 0, 64, VIRTIO_MSIX_NONE, &pages, &b->q), LM_OK);
	virtio_pci_ready(&b->dev);
	EXPECT_EQ(virtio_pci_status(&b->dev) & VIRTIO_STATUS_FAILED, 0);
}

static void blk_stop(struct blk *b)
{
	EXPECT_EQ(virtio_pci_reset(&b->dev), LM_OK);
	virtq_destroy(b->q.vq);
}

/* One request: header, then in_len bytes the device writes, then the
 * status byte; polled until it comes back (a liveness bound, not a speed). */
static void blk_request(struct blk *b, uint32_t type, uint64_t sector, uint8_t *page,
			uint64_t phys, uint32_t in_len, struct virtq_done *done)
{
	struct blk_req *req = (struct blk_req *)page;
	struct virtq_buf bufs[3] = {
		{phys, sizeof *req}, {phys + 512, in_len}, {phys + 2048, 1}};
	uint64_t start = plat_now_ns();
	enum lm_err err;

	*req = (struct blk_req){.type = type, .sector = sector};
	page[2048] = 0xff;
	ASSERT_EQ(virtq_add(b->q.vq, bufs, 1, 2, page), LM_OK);
	virtio_pci_kick(&b->dev, &b->q);
	while ((err = virtq_harvest(b->q.vq, done)) == LM_ERR_NOENT &&
	       plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		thread_yield();
	ASSERT_EQ(err, LM_OK);
	EXPECT(done->token == page);
	EXPECT(done->len <= in_len + 1);
	EXPECT_EQ(page[2048], BLK_S_OK);
}

TEST(pci, virtio_blk_set_up_by_the_virtio_library_reports_its_capacity_and_serial)
{
	struct blk b;
	uint64_t capacity = 0, phys = pmm_alloc_zeroed_page();
	uint8_t *page;
	struct virtq_done done;

	ASSERT(phys);
	page = phys_to_virt(phys);
	blk_start(&b);
	if (!test_failed) {
		/* Capacity, in 512-byte sectors: tests/pci.t's disk is 1 MiB. */
		EXPECT_EQ(virtio_pci_device_read(&b.dev, 0, 8, &capacity), LM_OK);
		EXPECT_EQ(capacity, 2048);
		blk_request(&b, BLK_T_GET_ID, 0, page, phys, 20, &done);
		if (!test_failed)
			EXPECT(memcmp(page + 512, SERIAL, sizeof SERIAL) == 0);
		EXPECT_EQ(virtq_fault(b.q.vq), VIRTQ_FAULT_NONE);
		blk_stop(&b);
	}
	pmm_free_page(phys);
}

/* Sector 0 of a disk that reads zeroes, into a buffer that was not zero;
 * then a hundred more requests through the 64 entries (index wraparound
 * in the device's view too). */
TEST(pci, virtio_blk_reads_sectors_through_one_queue)
{
	struct blk b;
	uint64_t phys = pmm_alloc_zeroed_page();
	uint8_t *page;
	struct virtq_done done;

	ASSERT(phys);
	page = phys_to_virt(phys);
	blk_start(&b);
	if (!test_failed) {
		for (unsigned n = 0; n < 100 && !test_failed; n++) {
			memset(page + 512, 0xa5, 512);
			blk_request(&b, BLK_T_IN, n % 2048, page, phys, 512, &done);
			if (test_failed)
				break;
			EXPECT_EQ(done.len, 513);
			for (unsigned i = 0; i < 512; i++)
				if (page[512 + i] != 0) {
					EXPECT_EQ(page[512 + i], 0);
					break;
				}
		}
		EXPECT_EQ(virtq_free_count(b.q.vq), 64);
		blk_stop(&b);
	}
	pmm_free_page(phys);
}

/* Sixteen requests in flight at once, published together with one
 * doorbell: each comes back once, with its own answer. */
TEST(pci, virtio_blk_answers_many_requests_in_flight)
{
	struct blk b;
	uint64_t phys = pmm_alloc_zeroed_page(), start;
	uint8_t *page;
	struct virtq_done done;
	uint32_t seen = 0;
	unsigned got = 0;

	ASSERT(phys);
	page = phys_to_virt(phys);
	blk_start(&b);
	for (unsigned k = 0; k < 16 && !test_failed; k++) {
		uint8_t *slot = page + 256 * k;
		uint64_t at = phys + 256 * k;
		struct virtq_buf bufs[3] = {{at, sizeof(struct blk_req)}, {at + 32, 20}, {at + 64, 1}};

		*(struct blk_req *)slot = (struct blk_req){.type = BLK_T_GET_ID};
		slot[64] = 0xff;
		ASSERT_EQ(virtq_add(b.q.vq, bufs, 1, 2, slot), LM_OK);
	}
	if (!test_failed) {
		virtio_pci_kick(&b.dev, &b.q);
		start = plat_now_ns();
		while (got < 16 && plat_now_ns() - start < SCHED_TEST_LIVENESS_NS) {
			unsigned k;

			if (virtq_harvest(b.q.vq, &done) != LM_OK) {
				EXPECT_EQ(virtq_fault(b.q.vq), VIRTQ_FAULT_NONE);
				thread_yield();
				continue;
			}
			k = (unsigned)((uint8_t *)done.token - page) / 256;
			ASSERT(k < 16);
			EXPECT(!(seen & (1u << k)));
			seen |= 1u << k;
			got++;
			EXPECT_EQ(page[256 * k + 64], BLK_S_OK);
			EXPECT(memcmp(page + 256 * k + 32, SERIAL, sizeof SERIAL) == 0);
		}
		EXPECT_EQ(seen, 0xffff);
		EXPECT_EQ(virtq_free_count(b.q.vq), 64);
		blk_stop(&b);
	}
	pmm_free_page(phys);
}
