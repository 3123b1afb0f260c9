/*
 * A virtio 1.x split virtqueue, driver side (sdk/virtio/virtq.h).
 *
 * Ring memory, one DMA block (the specification's alignments are 16, 2
 * and 4; the used ring starts on its own 64-byte line so that the lines
 * the driver writes and those the device writes are apart):
 *
 *     0                  descriptor table, 16 * size bytes
 *     16 * size          available ring: flags, idx, ring[size], used_event
 *     used_off           used ring: flags, idx, {id, len}[size], avail_event
 *
 * Private state, which the device cannot reach:
 *
 *   - next[i]: the descriptor after i, in its chain or in the free list.
 *     Written into the table for the device too, but only ever read from
 *     here, so a device scribbling on the table cannot bend a chain.
 *   - slots[i]: FREE, LINK (inside a chain), or for a chain's head ADDED
 *     (not yet published) or PUBLISHED, with its token, its descriptor
 *     count and the bytes the device may write into it.
 *   - pending[]: the heads placed in the available ring since the last
 *     publish, so that publishing marks them without reading the ring back.
 *   - added_idx, published_idx, last_used: the available ring's next free
 *     entry, what the device has been told, and the next used element.
 *
 * Invariants: free_count descriptors are FREE and linked from free_head;
 * every other descriptor belongs to exactly one ADDED or PUBLISHED chain;
 * published_idx - last_used (16-bit) chains are PUBLISHED. The used index
 * may therefore advance by at most that much; anything else is a fault,
 * and a faulted queue changes nothing any more (virtq_reclaim aside).
 */
#include "lib/string.h"
#include "sdk/virtio/virtq.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtq.c reads and writes the rings in host order, which must be little-endian"
#endif

enum slot_state { SLOT_FREE, SLOT_LINK, SLOT_ADDED, SLOT_PUBLISHED };

struct virtq_slot {
	void *token;
	uint64_t writable; /* sum of the chain's device-writable lengths */
	uint16_t count;    /* descriptors in the chain */
	uint8_t state;
};

struct virtq {
	struct virtio_dma ring, self; /* self: where this structure lives */
	struct virtio_dma_ops dma;

	/* In the ring block, shared with the device. */
	struct virtq_desc *desc;
	uint16_t *avail_flags, *avail_idx, *avail_ring, *used_event;
	uint16_t *used_flags, *used_idx, *avail_event;
	struct virtq_used_elem *used_ring;

	uint16_t size, mask;
	uint16_t free_head, free_count;
	uint16_t added_idx, published_idx, last_used;
	uint16_t reclaim_at;
	bool event_idx;
	enum virtq_fault fault;

	uint16_t *next;
	uint16_t *pending;
	struct virtq_slot slots[];
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t used_offset(uint16_t size)
{
	return align_up(16u * size + 6u + 2u * size, 64);
}

static size_t ring_bytes(uint16_t size)
{
	return used_offset(size) + 6u + 8u * size;
}

/* Every descriptor free, linked 0 -> 1 -> ... -> size - 1. */
static void reset_private(struct virtq *q)
{
	for (unsigned i = 0; i < q->size; i++) {
		q->next[i] = (uint16_t)((i + 1) & q->mask);
		q->slots[i] = (struct virtq_slot){0};
	}
	q->free_head = 0;
	q->free_count = q->size;
	q->added_idx = q->published_idx = q->last_used = 0;
	q->reclaim_at = 0;
	q->fault = VIRTQ_FAULT_NONE;
}

enum lm_err virtq_create(uint16_t size, bool event_idx, const struct virtio_dma_ops *dma,
			 struct virtq **out)
{
	struct virtq *q;
	struct virtio_dma self, ring;
	uint8_t *base;
	size_t used_off = used_offset(size);
	size_t self_bytes = sizeof *q + size * sizeof q->slots[0] + 2u * size * sizeof(uint16_t);
	enum lm_err err;

	*out = NULL;
	if (size == 0 || size > VIRTQ_SIZE_MAX || (size & (size - 1)) || !dma || !dma->alloc ||
	    !dma->free)
		return LM_ERR_INVAL;
	/* The private state comes from the same allocator, so that the
	 * library needs no heap (it runs in programs and in the kernel's
	 * tests alike); the device is never told where it is. */
	if ((err = dma->alloc(dma->ctx, self_bytes, &self)))
		return err;
	if ((err = dma->alloc(dma->ctx, ring_bytes(size), &ring))) {
		dma->free(dma->ctx, &self);
		return err;
	}
	q = self.virt;
	memset(q, 0, self_bytes);
	memset(ring.virt, 0, ring_bytes(size));
	q->self = self;
	q->ring = ring;
	q->dma = *dma;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->event_idx = event_idx;
	q->next = (uint16_t *)(q->slots + size);
	q->pending = q->next + size;

	base = q->ring.virt;
	q->desc = (struct virtq_desc *)base;
	q->avail_flags = (uint16_t *)(base + 16u * size);
	q->avail_idx = q->avail_flags + 1;
	q->avail_ring = q->avail_flags + 2;
	q->used_event = q->avail_ring + size;
	q->used_flags = (uint16_t *)(base + used_off);
	q->used_idx = q->used_flags + 1;
	q->used_ring = (struct virtq_used_elem *)(base + used_off + 4);
	q->avail_event = (uint16_t *)(q->used_ring + size);
	reset_private(q);
	*out = q;
	return LM_OK;
}

void virtq_destroy(struct virtq *q)
{
	struct virtio_dma self;

	if (!q)
		return;
	self = q->self;
	q->dma.free(q->dma.ctx, &q->ring);
	q->dma.free(q->dma.ctx, &self);
}

uint64_t virtq_desc_phys(const struct virtq *q)
{
	return q->ring.phys;
}

uint64_t virtq_avail_phys(const struct virtq *q)
{
	return q->ring.phys + 16u * q->size;
}

uint64_t virtq_used_phys(const struct virtq *q)
{
	return q->ring.phys + used_offset(q->size);
}

uint16_t virtq_size(const struct virtq *q)
{
	return q->size;
}

uint16_t virtq_free_count(const struct virtq *q)
{
	return q->free_count;
}

enum virtq_fault virtq_fault(const struct virtq *q)
{
	return q->fault;
}

const char *virtq_fault_str(enum virtq_fault f)
{
	static const char *const names[VIRTQ_FAULT_COUNT] = {
		[VIRTQ_FAULT_NONE] = "working",
		[VIRTQ_FAULT_INDEX] = "used index ran past the published chains",
		[VIRTQ_FAULT_ID] = "used id outside the descriptor table",
		[VIRTQ_FAULT_NOT_HEAD] = "used id is not a chain in flight",
		[VIRTQ_FAULT_LENGTH] = "used length past the chain's writable bytes",
	};

	if ((unsigned)f >= VIRTQ_FAULT_COUNT)
		return "unknown fault";
	return names[f];
}

enum lm_err virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned out_count,
		      unsigned in_count, void *token)
{
	unsigned n = out_count + in_count;
	uint16_t head = q->free_head, i = head;
	uint64_t writable = 0;

	if (q->fault)
		return LM_ERR_IO;
	if (!token || !bufs || n == 0 || out_count > q->size || in_count > q->size)
		return LM_ERR_INVAL;
	for (unsigned k = 0; k < n; k++)
		if (bufs[k].len == 0)
			return LM_ERR_INVAL;
	if (n > q->size)
		return LM_ERR_INVAL;
	if (n > q->free_count)
		return LM_ERR_FULL;

	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];
		uint16_t flags = 0;

		if (k >= out_count) {
			flags |= VIRTQ_DESC_F_WRITE;
			writable += bufs[k].len;
		}
		if (k + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		d->addr = bufs[k].phys;
		d->len = bufs[k].len;
		d->flags = flags;
		d->next = k + 1 < n ? q->next[i] : 0;
		q->slots[i].state = SLOT_LINK;
		i = q->next[i];
	}
	q->free_head = i;
	q->free_count = (uint16_t)(q->free_count - n);
	q->slots[head] = (struct virtq_slot){
		.token = token, .writable = writable, .count = (uint16_t)n, .state = SLOT_ADDED};
	q->pending[q->added_idx & q->mask] = head;
	q->avail_ring[q->added_idx & q->mask] = head;
	q->added_idx++;
	return LM_OK;
}

bool virtq_publish(struct virtq *q)
{
	uint16_t old = q->published_idx, now = q->added_idx;

	if (q->fault || old == now)
		return false;
	for (uint16_t p = old; p != now; p++)
		q->slots[q->pending[p & q->mask]].state = SLOT_PUBLISHED;
	/* The descriptors and ring entries before the index. */
	__atomic_store_n(q->avail_idx, now, __ATOMIC_RELEASE);
	q->published_idx = now;
	/* The index before reading whether the device wants a notification
	 * (otherwise both sides may decide the other will act). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		uint16_t event = __atomic_load_n(q->avail_event, __ATOMIC_RELAXED);

		/* Notify if the device's wanted index lies in (old, now]. */
		return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
	}
	return !(__atomic_load_n(q->used_flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY);
}

/* Back to the free list: the chain at head, by the private links. */
static void free_chain(struct virtq *q, uint16_t head)
{
	uint16_t i = head, last = head, count = q->slots[head].count;

	for (uint16_t k = 0; k < count; k++) {
		q->slots[i].state = SLOT_FREE;
		q->slots[i].token = NULL;
		last = i;
		i = q->next[i];
	}
	q->next[last] = q->free_head;
	q->free_head = head;
	q->free_count = (uint16_t)(q->free_count + count);
}

static enum lm_err broken(struct virtq *q, enum virtq_fault f)
{
	q->fault = f;
	return LM_ERR_IO;
}

enum lm_err virtq_harvest(struct virtq *q, struct virtq_done *done)
{
	uint16_t used, published;
	const struct virtq_used_elem *e;
	uint32_t id, len;
	struct virtq_slot *s;

	if (q->fault)
		return LM_ERR_IO;
	/* The index, then (acquire) the elements it covers. */
	used = __atomic_load_n(q->used_idx, __ATOMIC_ACQUIRE);
	if (used == q->last_used)
		return LM_ERR_NOENT;
	published = (uint16_t)(q->published_idx - q->last_used);
	if ((uint16_t)(used - q->last_used) > published)
		return broken(q, VIRTQ_FAULT_INDEX);

	/* Each field read once: what is checked is what is used. */
	e = &q->used_ring[q->last_used & q->mask];
	id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	if (id >= q->size)
		return broken(q, VIRTQ_FAULT_ID);
	s = &q->slots[id];
	if (s->state != SLOT_PUBLISHED)
		return broken(q, VIRTQ_FAULT_NOT_HEAD);
	if (len > s->writable)
		return broken(q, VIRTQ_FAULT_LENGTH);

	done->token = s->token;
	done->len = len;
	free_chain(q, (uint16_t)id);
	q->last_used++;
	return LM_OK;
}

void virtq_interrupts_off(struct virtq *q)
{
	/* A hint: with event indexes the device ignores the flag, and may
	 * interrupt once more when it reaches used_event. */
	__atomic_store_n(q->avail_flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
}

bool virtq_interrupts_on(struct virtq *q)
{
	if (q->event_idx)
		__atomic_store_n(q->used_event, q->last_used, __ATOMIC_RELAXED);
	else
		__atomic_store_n(q->avail_flags, 0, __ATOMIC_RELAXED);
	/* The request before the look at the used index, or a chain that
	 * finished in between would go without an interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return q->fault || __atomic_load_n(q->used_idx, __ATOMIC_ACQUIRE) != q->last_used;
}

enum lm_err virtq_reclaim(struct virtq *q, void **token)
{
	for (unsigned k = 0; k < q->size; k++) {
		uint16_t i = (uint16_t)((q->reclaim_at + k) & q->mask);
		struct virtq_slot *s = &q->slots[i];

		if (s->state == SLOT_ADDED || s->state == SLOT_PUBLISHED) {
			*token = s->token;
			free_chain(q, i);
			q->reclaim_at = (uint16_t)((i + 1) & q->mask);
			return LM_OK;
		}
	}
	*token = NULL;
	return LM_ERR_NOENT;
}

enum lm_err virtq_restart(struct virtq *q)
{
	if (q->free_count != q->size)
		return LM_ERR_BUSY;
	memset(q->ring.virt, 0, ring_bytes(q->size));
	reset_private(q);
	return LM_OK;
}
