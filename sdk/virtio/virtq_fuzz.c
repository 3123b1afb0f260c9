/*
 * libFuzzer: the fuzzer plays the device of a split virtqueue
 * (sdk/virtio/virtq.c), interleaved with a driver. The first byte picks
 * the queue size (1 to 32) and event indexes; each following byte is an
 * operation, with its arguments from the bytes after it:
 *
 *   driver: add a chain (up to 3 + 3 buffers), publish, harvest, interrupts
 *           on or off, and, once the queue is broken, reclaim and restart;
 *   device: finish the next published chain honestly, write any used
 *           element (id, length) and publish it, set the used index to any
 *           value, or write any bytes anywhere in the rings.
 *
 * A model beside the queue knows every token's state. It aborts if a
 * harvest returns a token that is not in flight, a length past the chain's
 * writable bytes or the same chain twice; if the free descriptors do not
 * add up; if a broken queue accepts anything; or if a device that only
 * ever behaved honestly is reported broken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/virtio/virtq.h"
#include "sdk/virtio/virtq_testdev.h"

#define TOKENS 64 /* more than the chains in flight in a 32-entry queue */

enum { NONE, ADDED, PUBLISHED };

struct model {
	uint8_t state[TOKENS];
	uint8_t ndesc[TOKENS];
	uint64_t writable[TOKENS];
	unsigned next_token;
	uint16_t published, harvested; /* chains, since the last restart */
	bool hostile; /* the device broke a rule since the last restart */
};

struct input {
	const uint8_t *p;
	size_t left;
};

static char token_bytes[TOKENS];

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned k = 0; k < bytes; k++) {
		v = v << 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

static unsigned in_use(const struct model *m)
{
	unsigned n = 0;

	for (unsigned t = 0; t < TOKENS; t++)
		if (m->state[t] != NONE)
			n += m->ndesc[t];
	return n;
}

static void op_add(struct virtq *q, struct model *m, struct input *in)
{
	uint32_t shape = take(in, 1);
	unsigned out = shape & 3, inb = (shape >> 2) & 3, t = m->next_token % TOKENS;
	struct virtq_buf b[6];
	uint64_t writable = 0;
	enum lm_err err;

	if (m->state[t] != NONE)
		return; /* token still out: skip (never with 32 entries and 64 tokens) */
	for (unsigned k = 0; k < out + inb; k++) {
		b[k].phys = 0x200000u + 0x1000u * k;
		b[k].len = take(in, 2) + 1u;
		if (k >= out)
			writable += b[k].len;
	}
	err = virtq_add(q, b, out, inb, &token_bytes[t]);
	if (virtq_fault(q) != VIRTQ_FAULT_NONE) {
		if (err != LM_ERR_IO)
			abort();
		return;
	}
	if (out + inb == 0) {
		if (err != LM_ERR_INVAL)
			abort();
		return;
	}
	if (out + inb > virtq_size(q) - in_use(m)) {
		if (err != LM_ERR_FULL && err != LM_ERR_INVAL)
			abort();
		return;
	}
	if (err != LM_OK)
		abort();
	m->state[t] = ADDED;
	m->ndesc[t] = (uint8_t)(out + inb);
	m->writable[t] = writable;
	m->next_token++;
}

static void op_publish(struct virtq *q, struct model *m)
{
	virtq_publish(q);
	if (virtq_fault(q) != VIRTQ_FAULT_NONE)
		return;
	for (unsigned t = 0; t < TOKENS; t++)
		if (m->state[t] == ADDED) {
			m->state[t] = PUBLISHED;
			m->published++;
		}
}

/* What the used ring says decides some outcomes outright: nothing new
 * (NOENT), an index past the published chains (INDEX), an id outside the
 * table (ID). The others the model checks by the token it gets back. */
static void op_harvest(struct virtq *q, struct model *m, const struct virtq_testdev *d)
{
	bool was_broken = virtq_fault(q) != VIRTQ_FAULT_NONE;
	uint16_t used = *d->used_idx;
	uint32_t id = d->used_ring[m->harvested % d->size].id;
	struct virtq_done done;
	enum lm_err err = virtq_harvest(q, &done);
	unsigned t;

	if (was_broken) {
		if (err != LM_ERR_IO)
			abort();
		return;
	}
	if (used == m->harvested) {
		if (err != LM_ERR_NOENT)
			abort();
		return;
	}
	if ((uint16_t)(used - m->harvested) > (uint16_t)(m->published - m->harvested)) {
		if (err != LM_ERR_IO || virtq_fault(q) != VIRTQ_FAULT_INDEX)
			abort();
		return;
	}
	if (id >= d->size) {
		if (err != LM_ERR_IO || virtq_fault(q) != VIRTQ_FAULT_ID)
			abort();
		return;
	}
	if (err == LM_ERR_IO) {
		if (virtq_fault(q) == VIRTQ_FAULT_NONE || !m->hostile)
			abort();
		return;
	}
	if (err != LM_OK)
		abort();
	m->harvested++;
	t = (unsigned)((char *)done.token - token_bytes);
	if (t >= TOKENS || m->state[t] != PUBLISHED || done.len > m->writable[t])
		abort();
	m->state[t] = NONE;
}

/* The device finishes the next published chain as the rules say. */
static void op_complete(struct virtq_testdev *d, struct input *in)
{
	uint16_t head;
	unsigned count;
	uint64_t writable;
	uint32_t len = take(in, 2);

	if (!virtq_testdev_pop(d, &head))
		return;
	if (!virtq_testdev_chain(d, head, &count, &writable))
		return;
	virtq_testdev_push(d, head, writable ? (uint32_t)(len % (writable + 1)) : 0);
}

/* Any bytes into the rings, at any offset inside them. */
static void op_scribble(struct virtq *q, struct input *in)
{
	uint8_t *base = (uint8_t *)(uintptr_t)virtq_desc_phys(q);
	size_t bytes = (size_t)(virtq_used_phys(q) - virtq_desc_phys(q)) + 6u + 8u * virtq_size(q);
	uint32_t at = take(in, 2) % bytes, n = take(in, 1) % 8;

	for (uint32_t k = 0; k < n && at + k < bytes; k++)
		base[at + k] = (uint8_t)take(in, 1);
}

static void op_recover(struct virtq *q, struct model *m, struct virtq_testdev *d)
{
	void *token;

	if (virtq_fault(q) == VIRTQ_FAULT_NONE)
		return;
	while (virtq_reclaim(q, &token) == LM_OK) {
		unsigned t = (unsigned)((char *)token - token_bytes);

		if (t >= TOKENS || m->state[t] == NONE)
			abort();
		m->state[t] = NONE;
	}
	if (in_use(m) != 0 || virtq_restart(q) != LM_OK)
		abort();
	m->hostile = false;
	m->published = m->harvested = 0;
	virtq_testdev_attach(d, q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct model m;
	struct virtq_testdev d;
	struct virtq *q;
	uint32_t first;

	if (size < 1)
		return 0;
	first = take(&in, 1);
	if (virtq_create((uint16_t)(1u << (first % 6)), first & 0x80, &virtq_testdev_dma, &q))
		abort();
	virtq_testdev_attach(&d, q);
	memset(&m, 0, sizeof m);

	while (in.left) {
		switch (take(&in, 1) % 10) {
		case 0:
		case 1:
			op_add(q, &m, &in);
			break;
		case 2:
			op_publish(q, &m);
			break;
		case 3:
			op_harvest(q, &m, &d);
			break;
		case 4:
			op_complete(&d, &in);
			break;
		case 5: {
			uint32_t id = take(&in, 2), len = take(&in, 4);

			m.hostile = true;
			virtq_testdev_push(&d, id, len);
			break;
		}
		case 6:
			m.hostile = true;
			virtq_testdev_set_used(&d, (uint16_t)take(&in, 2));
			break;
		case 7:
			m.hostile = true;
			op_scribble(q, &in);
			break;
		case 8:
			if (take(&in, 1) & 1)
				virtq_interrupts_on(q);
			else
				virtq_interrupts_off(q);
			break;
		case 9:
			op_recover(q, &m, &d);
			break;
		}
		if (virtq_free_count(q) != virtq_size(q) - in_use(&m))
			abort();
	}
	virtq_destroy(q);
	if (virtq_testdev_dma_held != 0)
		abort();
	return 0;
}
