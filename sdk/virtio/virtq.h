/*
 * virtq: one virtio 1.x split virtqueue, seen from the driver (docs/drivers.md,
 * "virtio"). Portable: no door, no device register; the transport
 * (sdk/virtio/virtio_pci.h) tells the device where the rings are and rings
 * its doorbell.
 *
 * Owns: the three rings in one block of DMA memory (descriptor table,
 * available ring, used ring), and the driver's private view of them: which
 * descriptors are free, which chains are in flight, each chain's token and
 * how many bytes the device may write into it.
 *
 * Trusts nothing the device writes. The device writes only the used ring;
 * everything the driver needs to know (free list, chain links, lengths) is
 * kept in private memory the device cannot reach, and each used element is
 * copied once before it is checked. A used index that runs past what was
 * published, an id out of range or not the head of a published chain (a
 * duplicate completion among them), a length larger than the chain's
 * writable bytes: each breaks the queue (virtq_fault says which), and
 * from then on every call refuses with LM_ERR_IO. Nothing is freed on a
 * broken queue, so no descriptor the device may still own is reused.
 *
 * Locking: none. One virtq is used by one thread at a time; a driver with
 * many threads puts its own lock around add/publish/harvest.
 *
 * Byte order: virtio 1.x rings are little-endian; so is every architecture
 * this builds for (checked at compile time in virtq.c).
 */
#ifndef SDK_VIRTIO_VIRTQ_H
#define SDK_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

/* The largest split queue the specification allows. */
#define VIRTQ_SIZE_MAX 32768

/* DMA memory: where the driver sees it, and where the device does. */
struct virtio_dma {
	void *virt;
	uint64_t phys;
	size_t bytes;
};

/* Where DMA memory comes from: the Memory door in a program, pages in the
 * kernel's tests, plain memory in the host tests. alloc gives at least
 * bytes, physically contiguous and aligned to 4096; free gives back
 * exactly what alloc gave. A queue takes two blocks: its rings, and its
 * private state (whose address the device is never told). */
struct virtio_dma_ops {
	enum lm_err (*alloc)(void *ctx, size_t bytes, struct virtio_dma *out);
	void (*free)(void *ctx, const struct virtio_dma *mem);
	void *ctx;
};

/* One buffer of a chain, by its physical address. */
struct virtq_buf {
	uint64_t phys;
	uint32_t len;
};

/* Why a queue was declared broken. Append, never renumber. */
enum virtq_fault {
	VIRTQ_FAULT_NONE = 0,
	VIRTQ_FAULT_INDEX = 1,    /* the used index ran past the published chains */
	VIRTQ_FAULT_ID = 2,       /* a used id outside the descriptor table */
	VIRTQ_FAULT_NOT_HEAD = 3, /* a used id that is not a published chain's head */
	VIRTQ_FAULT_LENGTH = 4,   /* a used length past the chain's writable bytes */
	VIRTQ_FAULT_COUNT
};

/* What the device sees, laid out as the specification says (2.7). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* One finished chain, as virtq_harvest returns it. */
struct virtq_done {
	void *token;
	uint32_t len; /* bytes the device wrote, never more than the chain's writable bytes */
};

struct virtq;

/* A queue of size descriptors (a power of two, 1 to VIRTQ_SIZE_MAX), its
 * memory from dma (about 54 bytes an entry: two 8 KiB blocks for 256).
 * event_idx: the driver and device negotiated VIRTIO_F_RING_EVENT_IDX.
 * LM_ERR_INVAL for a bad size or allocator, the allocator's error when it
 * fails. */
enum lm_err virtq_create(uint16_t size, bool event_idx, const struct virtio_dma_ops *dma,
			 struct virtq **out);
/* Frees the rings and the private state. Only after the device has been
 * reset (it may still be reading or writing the rings before that). */
void virtq_destroy(struct virtq *q);

/* Physical addresses of the three rings, for the transport. */
uint64_t virtq_desc_phys(const struct virtq *q);
uint64_t virtq_avail_phys(const struct virtq *q);
uint64_t virtq_used_phys(const struct virtq *q);
uint16_t virtq_size(const struct virtq *q);
/* Descriptors free for virtq_add. */
uint16_t virtq_free_count(const struct virtq *q);

/* Add a chain: out_count buffers the device reads, then in_count it writes.
 * token (not NULL) comes back from virtq_harvest. The chain is not seen by
 * the device until virtq_publish. LM_ERR_INVAL: no buffers, a zero-length
 * buffer or a NULL token; LM_ERR_FULL: not enough free descriptors (try
 * again after a harvest); LM_ERR_IO: the queue is broken. */
enum lm_err virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned out_count,
		      unsigned in_count, void *token);

/* Make the chains added since the last publish visible to the device.
 * Returns whether the device asked to be notified of them (then the
 * transport rings its doorbell); false on a broken queue. */
bool virtq_publish(struct virtq *q);

/* Take one finished chain off the used ring. LM_OK and *done filled;
 * LM_ERR_NOENT when nothing is finished; LM_ERR_IO when the queue is (or
 * has just been found) broken. The chain's descriptors are free again. */
enum lm_err virtq_harvest(struct virtq *q, struct virtq_done *done);

/* Interrupts (or, for a polling driver, none). virtq_interrupts_on asks
 * for one at the next finished chain and returns true if chains finished
 * meanwhile (harvest them: no interrupt may come for those). */
void virtq_interrupts_off(struct virtq *q);
bool virtq_interrupts_on(struct virtq *q);

/* VIRTQ_FAULT_NONE, or why the queue is broken. */
enum virtq_fault virtq_fault(const struct virtq *q);
const char *virtq_fault_str(enum virtq_fault f);

/* After the device is reset (it can no longer touch the rings): the token
 * of one chain still added or in flight, which is freed; LM_ERR_NOENT when
 * none is left. A driver fails those requests, then destroys the queue or
 * starts again with virtq_restart. */
enum lm_err virtq_reclaim(struct virtq *q, void **token);
/* After the device is reset and every chain reclaimed: empty rings, no
 * fault, ready to be given to the device again. LM_ERR_BUSY if chains are
 * left. */
enum lm_err virtq_restart(struct virtq *q);

#endif
