/*
 * Host tests of the split virtqueue (sdk/virtio/virtq.c) against a device
 * in memory (virtq_testdev): an honest device that consumes the available
 * ring and fills the used ring, through many chains, 16-bit index
 * wraparound, a full queue and completion out of order; and hostile ones
 * (ids out of range or not in flight, lengths past the buffer, a used
 * index that jumps or goes back, duplicate completions, a scribbled
 * descriptor table), each of which must be named by the right fault and
 * must leave no descriptor reused while the device may still own it.
 */
#include <string.h>

#include "lib/test.h"
#include "sdk/virtio/virtq.h"
#include "sdk/virtio/virtq_testdev.h"

/* Distinct tokens: the addresses of these bytes. */
static char tokens[512];

static struct virtq *make(uint16_t size, bool event_idx, struct virtq_testdev *d)
{
	struct virtq *q = NULL;

	if (virtq_create(size, event_idx, &virtq_testdev_dma, &q) != LM_OK)
		return NULL;
	virtq_testdev_attach(d, q);
	return q;
}

/* One chain: out device-readable buffers of 100 bytes, in writable of 200. */
static enum lm_err add(struct virtq *q, unsigned out, unsigned in, void *token)
{
	struct virtq_buf b[8];

	for (unsigned k = 0; k < out + in && k < 8; k++)
		b[k] = (struct virtq_buf){.phys = 0x100000u + 0x1000u * k, .len = k < out ? 100 : 200};
	return virtq_add(q, b, out, in, token);
}

/* The device finishes the next published chain, writing all it may. */
static bool complete_next(struct virtq_testdev *d)
{
	uint16_t head;
	unsigned count;
	uint64_t writable;

	if (!virtq_testdev_pop(d, &head) || !virtq_testdev_chain(d, head, &count, &writable))
		return false;
	virtq_testdev_push(d, head, (uint32_t)writable);
	return true;
}

TEST(virtq, create_refuses_bad_sizes)
{
	struct virtq *q = (struct virtq *)1;

	EXPECT_EQ(virtq_create(0, false, &virtq_testdev_dma, &q), LM_ERR_INVAL);
	EXPECT(q == NULL);
	EXPECT_EQ(virtq_create(3, false, &virtq_testdev_dma, &q), LM_ERR_INVAL);
	EXPECT_EQ(virtq_create(100, false, &virtq_testdev_dma, &q), LM_ERR_INVAL);
	EXPECT_EQ(virtq_create(65535, false, &virtq_testdev_dma, &q), LM_ERR_INVAL);
	EXPECT_EQ(virtq_create(16, false, NULL, &q), LM_ERR_INVAL);
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}

/* An allocator that fails its nth call. */
static unsigned allocs_left;

static enum lm_err failing_alloc(void *ctx, size_t bytes, struct virtio_dma *out)
{
	if (allocs_left == 0)
		return LM_ERR_NOMEM;
	allocs_left--;
	return virtq_testdev_dma.alloc(ctx, bytes, out);
}

TEST(virtq, create_gives_back_what_it_took_when_memory_runs_out)
{
	const struct virtio_dma_ops failing = {failing_alloc, virtq_testdev_dma.free, NULL};
	struct virtq *q = (struct virtq *)1;

	for (allocs_left = 0; allocs_left < 2; allocs_left++) {
		unsigned left = allocs_left;

		EXPECT_EQ(virtq_create(256, false, &failing, &q), LM_ERR_NOMEM);
		EXPECT(q == NULL);
		EXPECT_EQ(virtq_testdev_dma_held, 0);
		allocs_left = left;
	}
	allocs_left = 2;
	ASSERT_EQ(virtq_create(256, false, &failing, &q), LM_OK);
	virtq_destroy(q);
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}

TEST(virtq, rings_are_laid_out_and_aligned_as_the_specification_says)
{
	static const uint16_t sizes[] = {1, 2, 256, VIRTQ_SIZE_MAX};

	for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct virtq *q = NULL;

		ASSERT_EQ(virtq_create(sizes[k], false, &virtq_testdev_dma, &q), LM_OK);
		EXPECT_EQ(virtq_size(q), sizes[k]);
		EXPECT_EQ(virtq_free_count(q), sizes[k]);
		EXPECT_EQ(virtq_desc_phys(q) % 16, 0);
		EXPECT_EQ(virtq_avail_phys(q), virtq_desc_phys(q) + 16u * sizes[k]);
		EXPECT_EQ(virtq_used_phys(q) % 4, 0);
		EXPECT(virtq_used_phys(q) >= virtq_avail_phys(q) + 6u + 2u * sizes[k]);
		virtq_destroy(q);
	}
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}

TEST(virtq, a_chain_reaches_the_device_and_comes_back)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_buf b[3] = {{0x1000, 16}, {0x2000, 512}, {0x3000, 1}};
	struct virtq_done done;
	uint16_t head, i;

	ASSERT(q);
	ASSERT_EQ(virtq_add(q, b, 1, 2, &tokens[1]), LM_OK);
	EXPECT_EQ(virtq_free_count(q), 5);
	EXPECT(!virtq_testdev_pop(&d, &head)); /* not published yet */
	EXPECT(virtq_publish(q));
	ASSERT(virtq_testdev_pop(&d, &head));
	/* The chain as the device reads it. */
	i = head;
	EXPECT_EQ(d.desc[i].addr, 0x1000);
	EXPECT_EQ(d.desc[i].len, 16);
	EXPECT_EQ(d.desc[i].flags, VIRTQ_DESC_F_NEXT);
	i = d.desc[i].next;
	EXPECT_EQ(d.desc[i].addr, 0x2000);
	EXPECT_EQ(d.desc[i].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	i = d.desc[i].next;
	EXPECT_EQ(d.desc[i].addr, 0x3000);
	EXPECT_EQ(d.desc[i].len, 1);
	EXPECT_EQ(d.desc[i].flags, VIRTQ_DESC_F_WRITE);

	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_NOENT);
	virtq_testdev_push(&d, head, 513);
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(done.token == &tokens[1]);
	EXPECT_EQ(done.len, 513);
	EXPECT_EQ(virtq_free_count(q), 8);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_NOENT);
	EXPECT_EQ(virtq_fault(q), VIRTQ_FAULT_NONE);
	virtq_destroy(q);
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}

TEST(virtq, add_refuses_bad_chains)
{
	struct virtq_testdev d;
	struct virtq *q = make(4, false, &d);
	struct virtq_buf b[5] = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}};
	struct virtq_buf zero[2] = {{1, 1}, {2, 0}};

	ASSERT(q);
	EXPECT_EQ(virtq_add(q, b, 0, 0, &tokens[0]), LM_ERR_INVAL);
	EXPECT_EQ(virtq_add(q, b, 1, 0, NULL), LM_ERR_INVAL);
	EXPECT_EQ(virtq_add(q, zero, 1, 1, &tokens[0]), LM_ERR_INVAL);
	EXPECT_EQ(virtq_add(q, b, 3, 2, &tokens[0]), LM_ERR_INVAL); /* longer than the queue */
	EXPECT_EQ(virtq_add(q, b, 0xffffffffu, 2, &tokens[0]), LM_ERR_INVAL);
	EXPECT_EQ(virtq_free_count(q), 4);
	EXPECT(!virtq_publish(q)); /* nothing added */
	virtq_destroy(q);
}

/* 70,000 chains of one to three descriptors through an 8-entry queue:
 * the 16-bit available and used indexes wrap around (more than once). */
TEST(virtq, indexes_wrap_around_over_many_chains)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	unsigned next_token = 0, next_done = 0;

	ASSERT(q);
	for (unsigned round = 0; round < 70000 / 3; round++) {
		/* Three chains in, each of (round % 3) + 1 descriptors. */
		for (unsigned k = 0; k < 3; k++) {
			unsigned n = (round + k) % 3 + 1;

			ASSERT_EQ(add(q, 1, n - 1, &tokens[next_token++ % 256]), LM_OK);
		}
		virtq_publish(q);
		for (unsigned k = 0; k < 3; k++)
			ASSERT(complete_next(&d));
		for (unsigned k = 0; k < 3; k++) {
			ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
			ASSERT(done.token == &tokens[next_done++ % 256]);
		}
		ASSERT_EQ(virtq_harvest(q, &done), LM_ERR_NOENT);
	}
	EXPECT(next_done > 65536);
	EXPECT_EQ(virtq_free_count(q), 8);
	EXPECT_EQ(virtq_fault(q), VIRTQ_FAULT_NONE);
	virtq_destroy(q);
}

TEST(virtq, a_full_queue_refuses_until_a_chain_comes_back)
{
	struct virtq_testdev d;
	struct virtq *q = make(4, false, &d);
	struct virtq_done done;
	uint16_t head;

	ASSERT(q);
	ASSERT_EQ(add(q, 1, 1, &tokens[0]), LM_OK);
	ASSERT_EQ(add(q, 1, 0, &tokens[1]), LM_OK);
	EXPECT_EQ(add(q, 1, 1, &tokens[2]), LM_ERR_FULL); /* one free, two wanted */
	ASSERT_EQ(add(q, 0, 1, &tokens[3]), LM_OK);
	EXPECT_EQ(virtq_free_count(q), 0);
	EXPECT_EQ(add(q, 1, 0, &tokens[4]), LM_ERR_FULL);
	virtq_publish(q);
	ASSERT(virtq_testdev_pop(&d, &head));
	virtq_testdev_push(&d, head, 200);
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(done.token == &tokens[0]);
	EXPECT_EQ(virtq_free_count(q), 2);
	EXPECT_EQ(add(q, 1, 1, &tokens[2]), LM_OK);
	virtq_destroy(q);
}

/* Sixteen chains finished in a shuffled order: each token comes back once,
 * and then the whole table can be filled again (nothing lost or doubled). */
TEST(virtq, chains_finish_out_of_order)
{
	static const uint8_t order[16] = {5, 0, 15, 3, 9, 1, 14, 2, 8, 11, 4, 13, 6, 12, 7, 10};
	struct virtq_testdev d;
	struct virtq *q = make(32, false, &d);
	uint16_t heads[16];
	uint32_t seen = 0;
	struct virtq_done done;

	ASSERT(q);
	for (unsigned k = 0; k < 16; k++)
		ASSERT_EQ(add(q, 1, 1, &tokens[k]), LM_OK);
	virtq_publish(q);
	for (unsigned k = 0; k < 16; k++)
		ASSERT(virtq_testdev_pop(&d, &heads[k]));
	for (unsigned k = 0; k < 16; k++) {
		virtq_testdev_push(&d, heads[order[k]], order[k]);
		ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
		ASSERT(done.token == &tokens[order[k]]);
		EXPECT_EQ(done.len, order[k]);
		EXPECT(!(seen & (1u << order[k])));
		seen |= 1u << order[k];
	}
	EXPECT_EQ(seen, 0xffff);
	EXPECT_EQ(virtq_free_count(q), 32);
	for (unsigned k = 0; k < 32; k++)
		ASSERT_EQ(add(q, 1, 0, &tokens[k]), LM_OK);
	EXPECT_EQ(add(q, 1, 0, &tokens[0]), LM_ERR_FULL);
	virtq_destroy(q);
}

TEST(virtq, notification_follows_the_devices_flag)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);

	ASSERT(q);
	ASSERT_EQ(add(q, 1, 0, &tokens[0]), LM_OK);
	EXPECT(virtq_publish(q));
	*d.used_flags = VIRTQ_USED_F_NO_NOTIFY;
	ASSERT_EQ(add(q, 1, 0, &tokens[1]), LM_OK);
	EXPECT(!virtq_publish(q));
	*d.used_flags = 0;
	EXPECT(!virtq_publish(q)); /* nothing new */
	virtq_destroy(q);
}

/* With event indexes the device names the available index it wants to
 * hear about: notify exactly when a publish moves past it. */
TEST(virtq, notification_follows_the_devices_event_index)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, true, &d);

	ASSERT(q);
	*d.avail_event = 0; /* wants to know when entry 0 is published */
	ASSERT_EQ(add(q, 1, 0, &tokens[0]), LM_OK);
	EXPECT(virtq_publish(q)); /* 0 -> 1 covers 0 */
	ASSERT_EQ(add(q, 1, 0, &tokens[1]), LM_OK);
	EXPECT(!virtq_publish(q)); /* 1 -> 2: the device did not ask */
	*d.avail_event = 4;
	ASSERT_EQ(add(q, 1, 0, &tokens[2]), LM_OK);
	ASSERT_EQ(add(q, 1, 0, &tokens[3]), LM_OK);
	EXPECT(!virtq_publish(q)); /* 2 -> 4 covers 2 and 3 */
	ASSERT_EQ(add(q, 1, 0, &tokens[4]), LM_OK);
	EXPECT(virtq_publish(q)); /* 4 -> 5 covers 4 */
	virtq_destroy(q);
}

TEST(virtq, interrupts_on_reports_chains_that_finished_meanwhile)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d), *qe;
	struct virtq_testdev de;
	struct virtq_done done;

	ASSERT(q);
	virtq_interrupts_off(q);
	EXPECT_EQ(*d.avail_flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	EXPECT(!virtq_interrupts_on(q));
	EXPECT_EQ(*d.avail_flags, 0);
	ASSERT_EQ(add(q, 1, 1, &tokens[0]), LM_OK);
	virtq_publish(q);
	ASSERT(complete_next(&d));
	EXPECT(virtq_interrupts_on(q));
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(!virtq_interrupts_on(q));
	virtq_destroy(q);

	qe = make(8, true, &de);
	ASSERT(qe);
	for (unsigned k = 0; k < 3; k++) {
		ASSERT_EQ(add(qe, 1, 1, &tokens[k]), LM_OK);
		virtq_publish(qe);
		ASSERT(complete_next(&de));
		ASSERT_EQ(virtq_harvest(qe, &done), LM_OK);
	}
	EXPECT(!virtq_interrupts_on(qe));
	EXPECT_EQ(*de.used_event, 3); /* interrupt me when used entry 3 is written */
	virtq_destroy(qe);
}

/* ---------------------------------------------------------------- hostile devices */

/* Everything refused once broken, and nothing freed. */
static void expect_broken(struct virtq *q, enum virtq_fault f, uint16_t free_count)
{
	struct virtq_done done;

	EXPECT_EQ(virtq_fault(q), f);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	EXPECT_EQ(add(q, 1, 0, &tokens[99]), LM_ERR_IO);
	EXPECT(!virtq_publish(q));
	EXPECT(virtq_interrupts_on(q)); /* so that a waiting driver looks, and sees */
	EXPECT_EQ(virtq_free_count(q), free_count);
}

TEST(virtq, a_used_index_past_the_published_chains_breaks_the_queue)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	uint16_t head;

	ASSERT(q);
	ASSERT_EQ(add(q, 1, 1, &tokens[0]), LM_OK);
	ASSERT_EQ(add(q, 1, 1, &tokens[1]), LM_OK); /* added, not published */
	ASSERT_EQ(add(q, 1, 1, &tokens[2]), LM_OK);
	virtq_publish(q);
	ASSERT_EQ(add(q, 1, 1, &tokens[3]), LM_OK);
	ASSERT(virtq_testdev_pop(&d, &head));
	virtq_testdev_put(&d, head, 0);
	virtq_testdev_set_used(&d, 4); /* three published, four claimed */
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	expect_broken(q, VIRTQ_FAULT_INDEX, 0);
	virtq_destroy(q);
}

TEST(virtq, a_used_index_that_goes_back_breaks_the_queue)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;

	ASSERT(q);
	ASSERT_EQ(add(q, 1, 1, &tokens[0]), LM_OK);
	virtq_publish(q);
	ASSERT(complete_next(&d));
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	ASSERT_EQ(add(q, 1, 1, &tokens[1]), LM_OK);
	virtq_publish(q);
	virtq_testdev_set_used(&d, 0); /* back by one: 65535 ahead */
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	expect_broken(q, VIRTQ_FAULT_INDEX, 6);
	virtq_destroy(q);
}

TEST(virtq, a_jump_of_a_whole_queue_breaks_it_even_when_full)
{
	struct virtq_testdev d;
	struct virtq *q = make(4, false, &d);
	struct virtq_done done;

	ASSERT(q);
	for (unsigned k = 0; k < 4; k++)
		ASSERT_EQ(add(q, 1, 0, &tokens[k]), LM_OK);
	virtq_publish(q);
	virtq_testdev_set_used(&d, 5);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	expect_broken(q, VIRTQ_FAULT_INDEX, 0);
	virtq_destroy(q);
}

TEST(virtq, a_used_id_outside_the_table_breaks_the_queue)
{
	static const uint32_t ids[] = {8, 0xffff, 0x10000, 0xffffffffu};

	for (unsigned k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		struct virtq_testdev d;
		struct virtq *q = make(8, false, &d);
		struct virtq_done done;

		ASSERT(q);
		ASSERT_EQ(add(q, 1, 1, &tokens[0]), LM_OK);
		virtq_publish(q);
		virtq_testdev_push(&d, ids[k], 0);
		EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
		expect_broken(q, VIRTQ_FAULT_ID, 6);
		virtq_destroy(q);
	}
}

/* The id of a descriptor inside a chain, of a free one, of a chain that
 * was added but not yet published: none is a chain the device holds. */
TEST(virtq, a_used_id_that_is_not_a_chain_in_flight_breaks_the_queue)
{
	for (unsigned which = 0; which < 3; which++) {
		struct virtq_testdev d;
		struct virtq *q = make(8, false, &d);
		struct virtq_done done;
		uint16_t head, id = 0;

		ASSERT(q);
		ASSERT_EQ(add(q, 1, 2, &tokens[0]), LM_OK);
		virtq_publish(q);
		ASSERT_EQ(add(q, 1, 0, &tokens[1]), LM_OK); /* not published */
		ASSERT(virtq_testdev_pop(&d, &head));
		if (which == 0)
			id = d.desc[head].next;   /* second descriptor of the chain */
		else if (which == 1)
			id = 7;                   /* never used: free */
		else
			id = (uint16_t)(head + 3); /* the unpublished chain's head */
		virtq_testdev_push(&d, id, 0);
		EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
		expect_broken(q, VIRTQ_FAULT_NOT_HEAD, 4);
		virtq_destroy(q);
	}
}

TEST(virtq, a_duplicate_completion_breaks_the_queue)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	uint16_t head;

	ASSERT(q);
	ASSERT_EQ(add(q, 1, 1, &tokens[0]), LM_OK);
	ASSERT_EQ(add(q, 1, 1, &tokens[1]), LM_OK);
	virtq_publish(q);
	ASSERT(virtq_testdev_pop(&d, &head));
	virtq_testdev_push(&d, head, 10);
	virtq_testdev_push(&d, head, 10); /* again, while the second chain waits */
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(done.token == &tokens[0]);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	expect_broken(q, VIRTQ_FAULT_NOT_HEAD, 6);
	virtq_destroy(q);
}

TEST(virtq, a_used_length_past_the_writable_bytes_breaks_the_queue)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	uint16_t head;

	ASSERT(q);
	/* Writable: two of 200 bytes; the readable 100 do not count. */
	ASSERT_EQ(add(q, 1, 2, &tokens[0]), LM_OK);
	ASSERT_EQ(add(q, 1, 2, &tokens[1]), LM_OK);
	virtq_publish(q);
	ASSERT(virtq_testdev_pop(&d, &head));
	virtq_testdev_push(&d, head, 400); /* exactly all of it: fine */
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT_EQ(done.len, 400);
	ASSERT(virtq_testdev_pop(&d, &head));
	virtq_testdev_push(&d, head, 401);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	expect_broken(q, VIRTQ_FAULT_LENGTH, 5);
	virtq_destroy(q);
}

TEST(virtq, a_length_for_a_chain_with_nothing_writable_breaks_the_queue)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	uint16_t head;

	ASSERT(q);
	ASSERT_EQ(add(q, 2, 0, &tokens[0]), LM_OK);
	virtq_publish(q);
	ASSERT(virtq_testdev_pop(&d, &head));
	virtq_testdev_push(&d, head, 1);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	expect_broken(q, VIRTQ_FAULT_LENGTH, 6);
	virtq_destroy(q);
}

/* A device that rewrites the descriptor table (links into other chains,
 * loops, ids out of range) changes nothing the driver relies on: the
 * chains come back with the right tokens and the free list stays whole. */
TEST(virtq, a_scribbled_descriptor_table_does_not_bend_the_free_list)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	uint16_t heads[2];

	ASSERT(q);
	ASSERT_EQ(add(q, 1, 2, &tokens[0]), LM_OK);
	ASSERT_EQ(add(q, 1, 2, &tokens[1]), LM_OK);
	virtq_publish(q);
	ASSERT(virtq_testdev_pop(&d, &heads[0]));
	ASSERT(virtq_testdev_pop(&d, &heads[1]));
	for (unsigned i = 0; i < 8; i++) {
		d.desc[i].next = (uint16_t)(i * 7 + 1000);
		d.desc[i].flags = 0xffff;
		d.desc[i].len = 0xffffffffu;
	}
	virtq_testdev_push(&d, heads[1], 0);
	virtq_testdev_push(&d, heads[0], 400);
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(done.token == &tokens[1]);
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(done.token == &tokens[0]);
	EXPECT_EQ(virtq_fault(q), VIRTQ_FAULT_NONE);
	EXPECT_EQ(virtq_free_count(q), 8);
	/* Eight single chains use each descriptor exactly once. */
	for (unsigned k = 0; k < 8; k++)
		ASSERT_EQ(add(q, 1, 0, &tokens[k]), LM_OK);
	virtq_publish(q);
	{
		uint8_t used[8] = {0};
		uint16_t head;

		while (virtq_testdev_pop(&d, &head)) {
			ASSERT(head < 8);
			EXPECT_EQ(used[head], 0);
			used[head] = 1;
		}
	}
	virtq_destroy(q);
}

/* After a fault and a device reset, every chain still out comes back once
 * (so the driver can fail its requests), and the queue can start again. */
TEST(virtq, a_broken_queue_gives_back_its_chains_and_restarts)
{
	struct virtq_testdev d;
	struct virtq *q = make(8, false, &d);
	struct virtq_done done;
	void *token;
	uint32_t seen = 0;
	unsigned n = 0;

	ASSERT(q);
	for (unsigned k = 0; k < 3; k++)
		ASSERT_EQ(add(q, 1, 1, &tokens[k]), LM_OK);
	virtq_publish(q);
	ASSERT_EQ(add(q, 1, 0, &tokens[3]), LM_OK); /* added, unpublished */
	virtq_testdev_push(&d, 42, 0);
	EXPECT_EQ(virtq_harvest(q, &done), LM_ERR_IO);
	EXPECT_EQ(virtq_restart(q), LM_ERR_BUSY);
	while (virtq_reclaim(q, &token) == LM_OK) {
		unsigned i = (unsigned)((char *)token - tokens);

		ASSERT(i < 4);
		EXPECT(!(seen & (1u << i)));
		seen |= 1u << i;
		n++;
	}
	EXPECT_EQ(n, 4);
	EXPECT_EQ(seen, 0xf);
	EXPECT(token == NULL);
	EXPECT_EQ(virtq_free_count(q), 8);
	ASSERT_EQ(virtq_restart(q), LM_OK);
	EXPECT_EQ(virtq_fault(q), VIRTQ_FAULT_NONE);

	virtq_testdev_attach(&d, q); /* the device, reset too */
	ASSERT_EQ(add(q, 1, 1, &tokens[7]), LM_OK);
	virtq_publish(q);
	ASSERT(complete_next(&d));
	ASSERT_EQ(virtq_harvest(q, &done), LM_OK);
	EXPECT(done.token == &tokens[7]);
	virtq_destroy(q);
	EXPECT_EQ(virtq_testdev_dma_held, 0);
}
