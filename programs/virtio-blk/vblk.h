/*
 * vblk: one virtio block device, driven (docs/drivers.md, "virtio-blk and
 * the Block door"). vblk_setup.c sets it up through the Pci, Memory,
 * Threads and Irq doors; vblk.c owns its one request queue from then on,
 * the request slots and the completion thread; virtio_blk.c is the Block
 * door over it, which checks what callers pass before anything here sees
 * it.
 *
 * A request is a slot: a header and a status byte the device reads and
 * writes, and a bounce buffer of max_count sectors, all DMA memory from the
 * Memory door (a caller's buffer has no physical address a program can
 * know). A caller takes a slot (parking while none is free), fills it,
 * adds its chain to the queue, rings the doorbell and parks; the
 * completion thread, woken by the queue's MSI-X interrupt, harvests
 * finished chains, records each one's result and unparks its caller.
 *
 * Locking: one lock (d->lock) around the queue, the free slots and the
 * queue of callers waiting for one, held for a few dozen instructions; the
 * doorbell is rung and threads are unparked outside it. Waiters spin, then
 * yield, then nap (lemmings/lock.h says why).
 */
#ifndef PROGRAMS_VIRTIO_BLK_VBLK_H
#define PROGRAMS_VIRTIO_BLK_VBLK_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>
#include <lemmings/lock.h>
#include <lemmings/threads.h>

#include "sdk/virtio/virtio_pci_door.h"

struct timer_door; /* lemmings/timer.h, whose timer_create a host's time.h has too */

#define VBLK_SECTOR 512
/* Sectors one request moves at most: the bounce buffer of a slot. */
#define VBLK_MAX_COUNT 64
/* Slots at most; fewer when the queue is smaller (three descriptors each). */
#define VBLK_SLOTS_MAX 128
/* The completion thread's event bit for the queue's interrupt. */
#define VBLK_IRQ_BIT 0

/* Feature bits of the block device (specification 5.2.3). */
#define VBLK_F_SIZE_MAX (1ull << 1)
#define VBLK_F_SEG_MAX (1ull << 2)
#define VBLK_F_RO (1ull << 5)
#define VBLK_F_BLK_SIZE (1ull << 6)
#define VBLK_F_FLUSH (1ull << 9)

/* Request types and status values (specification 5.2.6). */
#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2

/* What the device reads first in every request. */
struct vblk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk_slot {
	struct vblk_header *header; /* in the header page; the status byte follows it */
	uint64_t header_phys;
	uint8_t *data; /* VBLK_MAX_COUNT sectors */
	uint64_t data_phys;
	uint32_t data_len;      /* bytes moved by the request in flight */
	uint32_t in_len;        /* bytes the device must write: data read, and the status */
	threads_thread waiter;  /* the caller, to unpark */
	uint32_t done;          /* set (release) by the completion thread */
	enum lm_err result;
	struct vblk_slot *next; /* while free */
};

/* A caller waiting for a free slot: on its own stack, in d->waiting. */
struct vblk_wait {
	threads_thread thread;
	struct vblk_slot *slot; /* handed over (release) by vblk_slot_put */
	struct vblk_wait *next;
};

struct vblk {
	const struct threads_door *threads;
	const struct timer_door *timer; /* NULL: the lock's waiters yield, never nap */
	struct virtio_pci_door door;
	struct virtio_pci dev;
	struct virtio_pci_queue q;
	uint64_t capacity; /* sectors */
	uint32_t max_count, block_size;
	bool read_only, cache;
	struct lm_lock lock;
	bool broken; /* the device broke the queue: every request fails */
	struct vblk_slot slots[VBLK_SLOTS_MAX];
	unsigned nslots;
	struct vblk_slot *free;
	struct vblk_wait *waiting, *waiting_tail;
};

/* Find the first virtio block function, set it up and start its completion
 * thread (vblk_setup.c). LM_ERR_NOENT when there is no such function (or
 * no Pci door); any other error is said in one line of the log. */
enum lm_err vblk_start(struct vblk *d);

/* Give d one more slot: a header cell of at least 17 bytes and a bounce
 * buffer of VBLK_MAX_COUNT sectors, both device-reachable. Setup only. */
void vblk_slot_add(struct vblk *d, void *header, uint64_t header_phys, void *data,
		   uint64_t data_phys);

/* Harvest every finished chain and record its result; if the device broke
 * the queue, reset it and fail every chain still out. Fills wake with the
 * callers to unpark (at most nslots) and returns how many. */
unsigned vblk_complete(struct vblk *d, threads_thread *wake);

/* The completion thread (arg: d): waits for VBLK_IRQ_BIT, vblk_complete,
 * unparks the callers. */
void vblk_completion(uintptr_t arg);

/* One request, blocking the caller until the device answers. type is
 * VBLK_T_IN, VBLK_T_OUT or VBLK_T_FLUSH; for IN and OUT, count (1 to
 * max_count) sectors at sector, read into or written from buf. Arguments
 * are the caller's to check (virtio_blk.c). LM_ERR_IO: the device reported
 * an error or misbehaved; LM_ERR_UNSUPPORTED: it does not support the
 * request; LM_ERR_NOMEM or LM_ERR_FULL: no thread handle could be made for
 * the caller (the Threads door's current). */
enum lm_err vblk_request(struct vblk *d, uint32_t type, uint64_t sector, uint32_t count,
			 void *buf);

#endif
