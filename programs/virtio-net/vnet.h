/*
 * vnet: the virtio-net driver's shared state (docs/drivers.md, "virtio-net
 * and the Ethernet door"). vnet.c finds and sets up the device and runs
 * one thread per queue, woken by that queue's MSI-X entry; vnet_door.c is
 * the Ethernet door over it.
 *
 * Owns: the device (struct virtio_pci), its receive queue (0) and
 * transmit queue (1), and one DMA block per queue of 2 KiB buffers, one
 * buffer per descriptor: a receive buffer is always either in the device's
 * hands, in the ready list, or being copied out by one receiver; a
 * transmit buffer is either free, being filled by one sender, or in the
 * device's hands.
 *
 * Invariants: a buffer is in exactly one of those places. A waiter is on
 * a wait list until the queue's thread (or a failure) hands it a buffer or
 * an error, sets done and unparks it; it never leaves the list on its own.
 * Once broken is set, nothing is given to the device again.
 *
 * Locking: one lock per direction (rx.lock, tx.lock; lemmings/lock.h) guards
 * its virtq, its buffer lists, its wait list and its counters; it is never
 * held across a copy of a caller's frame, a park or a door call that may
 * block.
 * The configuration (MAC, MTU) is written before the door is published and
 * only read after; the link status is read under config_lock.
 */
#ifndef PROGRAMS_VIRTIO_NET_VNET_H
#define PROGRAMS_VIRTIO_NET_VNET_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/lock.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#include "sdk/virtio/virtio_pci_door.h"

/* The header before every frame in a buffer (VERSION_1: 12 bytes; no
 * offloads are negotiated, so the driver writes it as zeroes). */
#define VNET_HDR 12
#define VNET_ETH_HDR 14
#define VNET_BUF 2048
/* The largest MTU whose frames fit a buffer behind the header. */
#define VNET_MTU_MAX (VNET_BUF - VNET_HDR - VNET_ETH_HDR)
#define VNET_MTU_DEFAULT 1500
/* Descriptors (and buffers) per queue, at most. */
#define VNET_QUEUE_MAX 256

/* virtio-net features (specification 5.1.3). */
#define VNET_F_MTU (1ull << 3)
#define VNET_F_MAC (1ull << 5)
#define VNET_F_STATUS (1ull << 16)
#define VNET_S_LINK_UP 1

/* The event bit each queue's thread waits on. */
#define VNET_QUEUE_BIT 0

/* A thread blocked in send or receive. */
struct vnet_waiter {
	struct vnet_waiter *next;
	threads_thread thread;
	uint16_t buf;	  /* the buffer handed over */
	uint32_t len;	  /* receive: bytes the device wrote, header included */
	enum lm_err err;  /* LM_OK, or why there is no buffer */
	bool done;
};

struct vnet_queue {
	struct lm_lock lock;
	struct virtio_pci_queue q;
	uint8_t *bufs; /* count buffers of VNET_BUF bytes */
	uint64_t bufs_phys;
	uint16_t count;
	/* rx: frames the device filled that no receiver took yet, in order;
	 * tx: buffers free to fill. A ring of count entries. */
	uint16_t list[VNET_QUEUE_MAX];
	uint32_t list_len[VNET_QUEUE_MAX];
	uint16_t head, used;
	struct vnet_waiter *first, *last;
	uint64_t frames, bytes;
	threads_thread thread;
};

struct vnet {
	const struct threads_door *threads;
	const struct timer_door *timer;
	struct virtio_pci_door pci;
	struct virtio_pci dev;
	struct vnet_queue rx, tx;
	uint8_t mac[6];
	uint32_t mtu;
	bool has_status;
	struct lm_lock config_lock;
	bool broken; /* written under both queue locks, read under either */
	uint64_t drops, errors;
};

extern struct vnet vnet;

/* Queue list ring: append at the tail, take from the head. */
void vnet_list_push(struct vnet_queue *q, uint16_t buf, uint32_t len);
void vnet_list_pop(struct vnet_queue *q, uint16_t *buf, uint32_t *len);

/* Give receive buffer buf back to the device. Caller holds rx.lock. */
void vnet_rx_post(uint16_t buf);
/* The device broke (why: one line for the log): stop using it, fail
 * every waiter. Caller holds no lock. */
void vnet_break(const char *why);

/* Take the queue's first waiter off its list, or NULL. Caller holds the
 * lock. */
struct vnet_waiter *vnet_waiter_take(struct vnet_queue *q);
/* Threads to unpark once the lock is dropped: unparking a thread of
 * higher priority on this hart switches to it at once, and it would spin
 * on the lock its waker holds. */
#define VNET_WAKES 16
struct vnet_wakes {
	unsigned count;
	threads_thread thread[VNET_WAKES];
};
/* w has its buffer (or error): mark it done and note its thread in k,
 * which must have room. */
void vnet_waiter_done(struct vnet_waiter *w, struct vnet_wakes *k);
/* Unpark k's threads (no lock held) and empty k. */
void vnet_wakes_flush(struct vnet_wakes *k);
/* Wait, with q's lock held on entry and on return, until w is done. An
 * unpark may come before the park, or after done was seen: park keeps one
 * wake-up and may return early, so the wait loops on done. */
void vnet_waiter_sleep(struct vnet_queue *q, struct vnet_waiter *w);

/* vnet_hostile.c, for tests: with vnet_hostile_after N (the argument
 * hostile=N; 0, the default, never), once N frames were received the
 * receive queue's used index jumps as a broken device's would. Each DMA
 * block is noted as it is taken; the strike is made with rx.lock held,
 * just before a harvest. */
extern uint64_t vnet_hostile_after;
void vnet_hostile_note(const struct virtio_dma *block);
void vnet_hostile_strike(void);

/* Publish the Ethernet door (vnet_door.c). */
enum lm_err vnet_door_publish(void);

#endif
