/*
 * virtio-net: the driver program (docs/drivers.md, "virtio-net and the
 * Ethernet door"). Finds the first virtio network function through the
 * Pci door, sets it up with the virtio library (features VERSION_1, MAC,
 * STATUS, MTU and event indexes; no offloads), gives it a receive and a
 * transmit queue of up to 256 entries each with a 2 KiB DMA buffer per
 * entry from the Memory door, and binds MSI-X entry 0 (receive) and 1
 * (transmit) through the Irq door to event bit 0 of one thread per queue.
 * Each thread waits with the Threads door's wait, harvests its queue and
 * hands buffers to the threads blocked in the Ethernet door (vnet_door.c).
 * With no device it says so in one line and ends. The argument hostile=N
 * is for tests (vnet_hostile.c).
 *
 * Owns the state in vnet.h; its locking and invariants are described there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/irq.h>
#include <lemmings/memory.h>
#include <lemmings/pci.h>

#include "programs/virtio-net/vnet.h"

struct vnet vnet;
static bool vnet_dev_up; /* the transport found the device's structures */

/* ---- locks, lists, waiters ---- */

void vnet_list_push(struct vnet_queue *q, uint16_t buf, uint32_t len)
{
	uint16_t at = (uint16_t)((q->head + q->used) % q->count);

	q->list[at] = buf;
	q->list_len[at] = len;
	q->used++;
}

void vnet_list_pop(struct vnet_queue *q, uint16_t *buf, uint32_t *len)
{
	*buf = q->list[q->head];
	*len = q->list_len[q->head];
	q->head = (uint16_t)((q->head + 1) % q->count);
	q->used--;
}

struct vnet_waiter *vnet_waiter_take(struct vnet_queue *q)
{
	struct vnet_waiter *w = q->first;

	if (w) {
		q->first = w->next;
		if (!q->first)
			q->last = NULL;
	}
	return w;
}

void vnet_waiter_done(struct vnet_waiter *w, struct vnet_wakes *k)
{
	k->thread[k->count++] = w->thread;
	/* Once done is seen the waiter returns and w (on its stack) is gone:
	 * nothing of w is touched after the store. */
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
}

void vnet_wakes_flush(struct vnet_wakes *k)
{
	for (unsigned i = 0; i < k->count; i++)
		threads_unpark(vnet.threads, k->thread[i]);
	k->count = 0;
}

void vnet_waiter_sleep(struct vnet_queue *q, struct vnet_waiter *w)
{
	w->next = NULL;
	w->done = false;
	if (q->last)
		q->last->next = w;
	else
		q->first = w;
	q->last = w;
	lm_unlock(&q->lock);
	/* An unpark before the park is kept (the park bit stays set), so no
	 * wake-up is lost; a park may also return early, hence the loop. */
	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
		threads_park(vnet.threads);
	lm_lock(&q->lock);
}

/* ---- failure ---- */

/* Fail q's waiters, a batch at a time, woken with the lock dropped. */
static void fail_waiters(struct vnet_queue *q)
{
	struct vnet_wakes k = {0};
	struct vnet_waiter *w;

	for (;;) {
		lm_lock(&q->lock);
		while (k.count < VNET_WAKES && (w = vnet_waiter_take(q))) {
			w->err = LM_ERR_IO;
			vnet_waiter_done(w, &k);
		}
		lm_unlock(&q->lock);
		if (!k.count)
			return;
		vnet_wakes_flush(&k);
	}
}

void vnet_break(const char *why)
{
	bool first;

	lm_lock(&vnet.rx.lock);
	lm_lock(&vnet.tx.lock);
	first = !vnet.broken;
	vnet.broken = true;
	if (first)
		virtio_pci_fail(&vnet.dev);
	lm_unlock(&vnet.tx.lock);
	lm_unlock(&vnet.rx.lock);
	/* No waiter is added once broken is set (take checks it under the
	 * lock), so these lists only shrink. */
	fail_waiters(&vnet.rx);
	fail_waiters(&vnet.tx);
	if (first)
		printf("virtio-net: the device misbehaved (%s); the driver stops using it\n", why);
}

/* ---- the queues' threads ---- */

void vnet_rx_post(uint16_t buf)
{
	struct virtq_buf b = {vnet.rx.bufs_phys + (uint64_t)buf * VNET_BUF, VNET_BUF};

	/* Cannot be full: each buffer takes one descriptor, and there are as
	 * many descriptors as buffers. LM_ERR_IO (broken) is seen by the next
	 * harvest. */
	virtq_add(vnet.rx.q.vq, &b, 0, 1, (void *)(uintptr_t)(buf + 1));
}

/* Hand one finished buffer to the first waiter (woken by the caller's
 * flush of k), or keep it in the list. */
static void deliver(struct vnet_queue *q, uint16_t buf, uint32_t len, struct vnet_wakes *k)
{
	struct vnet_waiter *w = vnet_waiter_take(q);

	if (!w) {
		vnet_list_push(q, buf, len);
		return;
	}
	w->buf = buf;
	w->len = len;
	w->err = LM_OK;
	vnet_waiter_done(w, k);
}

/* Each queue's thread: wait for the queue's interrupt, harvest what the
 * device finished (receive buffers it filled, too short ones dropped and
 * posted again; transmit buffers it sent), hand each to a waiter or to the
 * list, and ask for the next interrupt. */
static void queue_thread(uintptr_t arg)
{
	struct vnet_queue *q = (struct vnet_queue *)arg;
	bool rx = q == &vnet.rx;

	for (;;) {
		struct vnet_wakes k = {0};
		struct virtq_done d;
		enum lm_err err;
		bool posted = false;

		threads_wait(vnet.threads, 1ull << VNET_QUEUE_BIT);
		lm_lock(&q->lock);
		if (vnet.broken) {
			lm_unlock(&q->lock);
			continue;
		}
		if (rx)
			vnet_hostile_strike();
		do {
			while ((err = virtq_harvest(q->q.vq, &d)) == LM_OK) {
				uint16_t buf = (uint16_t)((uintptr_t)d.token - 1);

				if (rx && d.len < VNET_HDR + VNET_ETH_HDR) {
					__atomic_fetch_add(&vnet.drops, 1, __ATOMIC_RELAXED);
					vnet_rx_post(buf);
					posted = true;
					continue;
				}
				deliver(q, buf, d.len, &k);
				if (k.count == VNET_WAKES) {
					/* Wake them with the lock dropped: a woken
					 * thread of higher priority on this hart
					 * would run at once and want the lock. */
					lm_unlock(&q->lock);
					vnet_wakes_flush(&k);
					lm_lock(&q->lock);
					if (vnet.broken)
						break;
				}
			}
		} while (err == LM_ERR_NOENT && !vnet.broken && virtq_interrupts_on(q->q.vq));
		if (posted && !vnet.broken)
			virtio_pci_kick(&vnet.dev, &q->q);
		lm_unlock(&q->lock);
		vnet_wakes_flush(&k);
		if (err == LM_ERR_IO)
			vnet_break(virtq_fault_str(virtq_fault(q->q.vq)));
	}
}

/* ---- setup ---- */

static const struct memory_door *memory;

static enum lm_err dma_alloc(void *ctx, size_t bytes, struct virtio_dma *out)
{
	uint64_t pages = (bytes + 4095) / 4096;
	struct memory_run run;
	memory_status st = memory_alloc(memory, pages, 1, 0, &run);

	if (st)
		return (enum lm_err)st;
	*out = (struct virtio_dma){(void *)run.addr, run.phys, pages * 4096};
	vnet_hostile_note(out);
	return LM_OK;
}

static void dma_free(void *ctx, const struct virtio_dma *mem)
{
	memory_free(memory, (uintptr_t)mem->virt, mem->bytes / 4096);
}

static const struct virtio_dma_ops dma = {dma_alloc, dma_free, NULL};

/* Queue index with its buffers and MSI-X entry index (= vector). */
static enum lm_err queue_start(struct vnet_queue *q, uint16_t index, const char **what)
{
	struct virtio_dma bufs;
	enum lm_err err;

	*what = "queue set-up";
	err = virtio_pci_queue_setup(&vnet.dev, index, VNET_QUEUE_MAX, index, &dma, &q->q);
	if (err)
		return err;
	q->count = virtq_size(q->q.vq);
	*what = "buffers";
	err = dma_alloc(NULL, (size_t)q->count * VNET_BUF, &bufs);
	if (err)
		return err;
	q->bufs = bufs.virt;
	q->bufs_phys = bufs.phys;
	return LM_OK;
}

static enum lm_err thread_start(struct vnet_queue *q, const struct irq_door *irq, uint16_t entry,
				const char *name, const char **what)
{
	threads_spawn_result t;
	irq_binding b;
	irq_status st;

	*what = "thread";
	t = threads_spawn(vnet.threads, queue_thread, (uintptr_t)q, 1, 2,
			  (threads_name)(uintptr_t)name);
	if (!threads_spawn_result_is_thread(t))
		return (enum lm_err)t;
	q->thread = (threads_thread)t;
	*what = "MSI-X binding";
	st = irq_bind_msix(irq, vnet.pci.func, entry, q->thread, VNET_QUEUE_BIT, 0xffffffff, &b);
	return (enum lm_err)st;
}

static enum lm_err device_start(const struct pci_door *pci, const struct irq_door *irq,
				pci_func func, const char **what)
{
	struct virtio_pci_ops ops;
	uint64_t v;
	enum lm_err err;

	*what = "PCI";
	if ((err = virtio_pci_door_open(&vnet.pci, pci, func, &ops)))
		return err;
	*what = "transport";
	if ((err = virtio_pci_init(&vnet.dev, &ops)))
		return err;
	vnet_dev_up = true;
	*what = "features";
	err = virtio_pci_negotiate(&vnet.dev, VNET_F_MAC | VNET_F_STATUS | VNET_F_MTU |
						      VIRTIO_F_RING_EVENT_IDX);
	if (err)
		return err;
	if (!(vnet.dev.features & VNET_F_MAC))
		return LM_ERR_UNSUPPORTED;
	*what = "configuration";
	for (unsigned i = 0; i < 6; i++) {
		if ((err = virtio_pci_device_read(&vnet.dev, i, 1, &v)))
			return err;
		vnet.mac[i] = (uint8_t)v;
	}
	vnet.mtu = VNET_MTU_DEFAULT;
	if (vnet.dev.features & VNET_F_MTU) {
		if ((err = virtio_pci_device_read(&vnet.dev, 10, 2, &v)))
			return err;
		*what = "MTU";
		if (v < 68 || v > VNET_MTU_MAX)
			return LM_ERR_UNSUPPORTED;
		vnet.mtu = (uint32_t)v;
	}
	vnet.has_status = vnet.dev.features & VNET_F_STATUS;
	if ((err = queue_start(&vnet.rx, 0, what)) || (err = queue_start(&vnet.tx, 1, what)))
		return err;
	if ((err = thread_start(&vnet.rx, irq, 0, "virtio-net rx", what)) ||
	    (err = thread_start(&vnet.tx, irq, 1, "virtio-net tx", what)))
		return err;
	for (uint16_t b = 0; b < vnet.rx.count; b++)
		vnet_rx_post(b);
	for (uint16_t b = 0; b < vnet.tx.count; b++)
		vnet_list_push(&vnet.tx, b, 0);
	virtio_pci_kick(&vnet.dev, &vnet.rx.q);
	virtio_pci_ready(&vnet.dev);
	*what = "start";
	if (virtio_pci_status(&vnet.dev) & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET))
		return LM_ERR_IO;
	/* Frames may have come before the threads' first wait. */
	threads_signal(vnet.threads, vnet.rx.thread, 1ull << VNET_QUEUE_BIT);
	return LM_OK;
}

int main(int argc, char **argv)
{
	const struct pci_door *pci = pci_door_find();
	const struct irq_door *irq = irq_door_find();
	const char *what = "";
	pci_func func = 0;
	enum lm_err err;

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "hostile=", 8))
			vnet_hostile_after = (uint64_t)strtol(argv[i] + 8, NULL, 10);
	vnet.threads = threads_door_find();
	vnet.timer = timer_door_find();
	lm_lock_init(&vnet.rx.lock, vnet.threads, vnet.timer);
	lm_lock_init(&vnet.tx.lock, vnet.threads, vnet.timer);
	lm_lock_init(&vnet.config_lock, vnet.threads, vnet.timer);
	memory = memory_door_find();
	if (!pci || !irq || !memory || !vnet.threads || !vnet.timer) {
		printf("virtio-net: no Pci, Irq, Memory, Threads or Timer door here; nothing to drive\n");
		return 0;
	}
	if (virtio_pci_door_find(pci, VIRTIO_TYPE_NET, &func)) {
		printf("virtio-net: no virtio network device; the driver ends\n");
		return 0;
	}
	err = device_start(pci, irq, func, &what);
	if (err) {
		printf("virtio-net: function %u: %s failed: %s; the driver ends\n", func, what,
		       lm_err_str(err));
		if (vnet_dev_up)
			virtio_pci_fail(&vnet.dev);
		return 1;
	}
	if ((err = vnet_door_publish())) {
		printf("virtio-net: cannot publish the Ethernet door: %s\n", lm_err_str(err));
		vnet_break("no door");
		return 1;
	}
	printf("virtio-net: function %u, %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, %u receive and %u "
	       "transmit buffers: Ethernet door published\n",
	       func, vnet.mac[0], vnet.mac[1], vnet.mac[2], vnet.mac[3], vnet.mac[4], vnet.mac[5],
	       vnet.mtu, vnet.rx.count, vnet.tx.count);
	return 0;
}
