/*
 * The virtio block device (vblk.h): setup, request slots, the completion
 * thread, and what happens when the device breaks its queue.
 *
 * Invariants: a slot is free (on d->free), held by one caller, or in
 * flight (its chain in the queue, token the slot); a caller waiting for a
 * slot is in d->waiting only while d->free is empty. After d->broken no
 * chain is added: the completion thread reset the device and failed every
 * chain still out.
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/irq.h>
#include <lemmings/memory.h>

#include "programs/virtio-blk/vblk.h"

#define HEADER_CELL 32 /* a header (16 bytes) and its status byte */
#define SPIN_TRIES 64  /* pauses, then a yield */
#define YIELD_TRIES 4  /* yields, then sleeps (see lock) */
#define SLEEP_NS 20000

/* ---- DMA memory, from the Memory door ---- */

static enum lm_err dma_alloc(void *ctx, size_t bytes, struct virtio_dma *out)
{
	struct memory_run run;
	uint64_t pages = (bytes + 4095) / 4096;
	enum lm_err err = (enum lm_err)memory_alloc(ctx, pages, 1, 0, &run);

	if (err)
		return err;
	*out = (struct virtio_dma){.virt = (void *)run.addr, .phys = run.phys, .bytes = pages * 4096};
	return LM_OK;
}

static void dma_free(void *ctx, const struct virtio_dma *mem)
{
	memory_free(ctx, (uintptr_t)mem->virt, mem->bytes / 4096);
}

/* ---- the lock ----
 *
 * Held for a few dozen instructions, so waiters spin; but a thread of
 * higher priority than the holder, on the holder's hart (the completion
 * thread woken by the interrupt, a caller of higher priority), would spin
 * and yield forever: a yield gives the hart only to threads of its own
 * priority or higher, and the holder is not one. So after a while a waiter
 * sleeps a little on a timer, which lets any thread run. */

static void backoff(struct vblk *d)
{
	timer_create_result t = timer_create(d->timer);

	if (!timer_create_result_is_timer(t)) {
		threads_yield(d->threads);
		return;
	}
	timer_set(d->timer, (timer_timer)t, timer_now(d->timer) + SLEEP_NS);
	timer_wait(d->timer, (timer_timer)t);
	timer_destroy(d->timer, (timer_timer)t);
}

static void lock(struct vblk *d)
{
	unsigned tries = 0;

	while (__atomic_exchange_n(&d->lock, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&d->lock, __ATOMIC_RELAXED)) {
			if (++tries % SPIN_TRIES)
				__builtin_ia32_pause();
			else if (tries < SPIN_TRIES * YIELD_TRIES)
				threads_yield(d->threads);
			else
				backoff(d);
		}
	}
}

static void unlock(struct vblk *d)
{
	__atomic_store_n(&d->lock, 0, __ATOMIC_RELEASE);
}

/* ---- slots ---- */

static uint8_t *status_of(struct vblk_slot *s)
{
	return (uint8_t *)s->header + sizeof *s->header;
}

/* A free slot, parking until one is handed over if none is. */
static struct vblk_slot *slot_get(struct vblk *d, threads_thread me)
{
	struct vblk_wait w = {.thread = me};
	struct vblk_slot *s;

	lock(d);
	s = d->free;
	if (s) {
		d->free = s->next;
		unlock(d);
		return s;
	}
	if (d->waiting_tail)
		d->waiting_tail->next = &w;
	else
		d->waiting = &w;
	d->waiting_tail = &w;
	unlock(d);
	while (!(s = __atomic_load_n(&w.slot, __ATOMIC_ACQUIRE)))
		threads_park(d->threads);
	return s;
}

/* Give s to the first waiting caller, or back to the free list. */
static void slot_put(struct vblk *d, struct vblk_slot *s)
{
	struct vblk_wait *w;
	threads_thread t;

	lock(d);
	w = d->waiting;
	if (!w) {
		s->next = d->free;
		d->free = s;
		unlock(d);
		return;
	}
	d->waiting = w->next;
	if (!d->waiting)
		d->waiting_tail = NULL;
	unlock(d);
	/* w is on the waiter's stack: read it before handing the slot over. */
	t = w->thread;
	__atomic_store_n(&w->slot, s, __ATOMIC_RELEASE);
	threads_unpark(d->threads, t);
}

/* ---- completion ---- */

/* The result of a finished chain that wrote len bytes. The device is not
 * trusted: a status byte it did not write, or fewer bytes than asked for,
 * is an I/O error. */
static enum lm_err result_of(struct vblk_slot *s, uint32_t len)
{
	uint8_t status = __atomic_load_n(status_of(s), __ATOMIC_ACQUIRE);

	if (status == VBLK_S_IOERR)
		return LM_ERR_IO;
	if (status == VBLK_S_UNSUPP)
		return LM_ERR_UNSUPPORTED;
	if (status != VBLK_S_OK || len < s->in_len)
		return LM_ERR_IO;
	return LM_OK;
}

/* Record s's result; returns the thread to unpark. The caller may return
 * and reuse s as soon as done is set: read the waiter first. */
static threads_thread finish(struct vblk_slot *s, enum lm_err result)
{
	threads_thread t = s->waiter;

	s->result = result;
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return t;
}

/* The device broke its queue: say so once, reset it so that it no longer
 * touches memory, and fail every chain still out. Lock held. Returns how
 * many threads were put in wake. */
static unsigned broken(struct vblk *d, threads_thread *wake)
{
	unsigned n = 0;
	void *token;

	printf("virtio-blk: the device broke its queue (%s); every request fails from now on\n",
	       virtq_fault_str(virtq_fault(d->q.vq)));
	d->broken = true;
	if (virtio_pci_reset(&d->dev))
		virtio_pci_fail(&d->dev);
	while (virtq_reclaim(d->q.vq, &token) == LM_OK)
		wake[n++] = finish(token, LM_ERR_IO);
	return n;
}

/* The completion thread: wakes on the queue's interrupt, harvests every
 * finished chain, and unparks their callers outside the lock. */
static void completion(uintptr_t arg)
{
	struct vblk *d = (struct vblk *)arg;
	threads_thread wake[VBLK_SLOTS_MAX];

	for (;;) {
		unsigned n = 0;
		struct virtq_done done;
		enum lm_err err;

		threads_wait(d->threads, 1ull << VBLK_IRQ_BIT);
		lock(d);
		while (!d->broken) {
			while ((err = virtq_harvest(d->q.vq, &done)) == LM_OK)
				wake[n++] = finish(done.token, result_of(done.token, done.len));
			if (err == LM_ERR_IO) {
				n += broken(d, wake + n);
				break;
			}
			if (!virtq_interrupts_on(d->q.vq))
				break;
		}
		unlock(d);
		for (unsigned i = 0; i < n; i++)
			threads_unpark(d->threads, wake[i]);
	}
}

/* ---- requests ---- */

enum lm_err vblk_request(struct vblk *d, uint32_t type, uint64_t sector, uint32_t count,
			 void *buf)
{
	threads_current_result me = threads_current(d->threads);
	struct vblk_slot *s;
	struct virtq_buf bufs[3];
	unsigned out, in;
	enum lm_err err;
	bool notify;

	if (!threads_current_result_is_thread(me))
		return LM_ERR_NOENT;
	s = slot_get(d, (threads_thread)me);
	*s->header = (struct vblk_header){.type = type, .sector = sector};
	*status_of(s) = 0xff; /* no status the device can mean */
	s->data_len = type == VBLK_T_FLUSH ? 0 : count * VBLK_SECTOR;
	s->in_len = (type == VBLK_T_IN ? s->data_len : 0) + 1;
	s->waiter = (threads_thread)me;
	s->done = 0;
	bufs[0] = (struct virtq_buf){s->header_phys, sizeof *s->header};
	if (type == VBLK_T_OUT)
		memcpy(s->data, buf, s->data_len);
	out = type == VBLK_T_OUT ? 2 : 1;
	in = type == VBLK_T_IN ? 2 : 1;
	if (s->data_len)
		bufs[1] = (struct virtq_buf){s->data_phys, s->data_len};
	bufs[out + in - 1] = (struct virtq_buf){s->header_phys + sizeof *s->header, 1};

	lock(d);
	err = d->broken ? LM_ERR_IO : virtq_add(d->q.vq, bufs, out, in, s);
	notify = !err && virtq_publish(d->q.vq);
	unlock(d);
	if (!err) {
		if (notify)
			virtio_pci_notify(&d->dev, &d->q);
		while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE))
			threads_park(d->threads);
		err = s->result;
		if (!err && type == VBLK_T_IN)
			memcpy(buf, s->data, s->data_len);
	}
	slot_put(d, s);
	return err;
}

/* ---- setup ---- */

/* One line saying why the device is not used; the error. */
static enum lm_err give_up(struct vblk *d, const char *what, enum lm_err err)
{
	printf("virtio-blk: %s: %s; no Block door\n", what, lm_err_str(err));
	if (d->dev.ops.bar_read)
		virtio_pci_fail(&d->dev);
	return err;
}

/* Capacity and limits from the device configuration (specification
 * 5.2.4), as far as the negotiated features say they are there. */
static enum lm_err read_config(struct vblk *d)
{
	uint64_t v;
	enum lm_err err = virtio_pci_device_read(&d->dev, 0, 8, &d->capacity);

	d->max_count = VBLK_MAX_COUNT;
	d->block_size = VBLK_SECTOR;
	if (!err && (d->dev.features & VBLK_F_SIZE_MAX) &&
	    !(err = virtio_pci_device_read(&d->dev, 8, 4, &v)) && v / VBLK_SECTOR < d->max_count)
		d->max_count = (uint32_t)(v / VBLK_SECTOR);
	if (!err && (d->dev.features & VBLK_F_SEG_MAX))
		err = virtio_pci_device_read(&d->dev, 12, 4, &v);
	if (!err && (d->dev.features & VBLK_F_SEG_MAX) && v < 1)
		err = LM_ERR_UNSUPPORTED; /* a request needs one data segment */
	if (!err && (d->dev.features & VBLK_F_BLK_SIZE) &&
	    !(err = virtio_pci_device_read(&d->dev, 20, 4, &v)) && v >= VBLK_SECTOR && v <= 65536)
		d->block_size = (uint32_t)v;
	if (!err && d->max_count == 0)
		err = LM_ERR_UNSUPPORTED; /* size_max below one sector */
	d->read_only = d->dev.features & VBLK_F_RO;
	d->cache = d->dev.features & VBLK_F_FLUSH;
	return err;
}

/* Header page and bounce buffers for every slot. */
static enum lm_err slots_alloc(struct vblk *d, const struct memory_door *mem)
{
	struct memory_run headers, data;
	enum lm_err err;
	uint64_t pages = (VBLK_MAX_COUNT * VBLK_SECTOR + 4095) / 4096;

	d->nslots = virtq_size(d->q.vq) / 3;
	if (d->nslots > VBLK_SLOTS_MAX)
		d->nslots = VBLK_SLOTS_MAX;
	if (d->nslots == 0)
		return LM_ERR_UNSUPPORTED;
	err = (enum lm_err)memory_alloc(mem, 1, 1, 0, &headers);
	for (unsigned i = 0; i < d->nslots && !err; i++) {
		struct vblk_slot *s = &d->slots[i];

		err = (enum lm_err)memory_alloc(mem, pages, 1, 0, &data);
		if (err)
			break;
		s->header = (struct vblk_header *)(headers.addr + i * HEADER_CELL);
		s->header_phys = headers.phys + i * HEADER_CELL;
		s->data = (uint8_t *)data.addr;
		s->data_phys = data.phys;
		s->next = d->free;
		d->free = s;
	}
	return err; /* what was taken stays: the program gives up on the device */
}

enum lm_err vblk_start(struct vblk *d)
{
	const struct pci_door *pci = pci_door_find();
	const struct memory_door *mem = memory_door_find();
	const struct irq_door *irq = irq_door_find();
	struct virtio_dma_ops dma = {dma_alloc, dma_free, (void *)mem};
	struct virtio_pci_ops ops;
	threads_spawn_result t;
	irq_binding binding;
	pci_func f = 0;
	enum lm_err err;

	memset(d, 0, sizeof *d);
	d->threads = threads_door_find();
	d->timer = timer_door_find();
	if (!pci || virtio_pci_door_find(pci, VIRTIO_TYPE_BLOCK, &f))
		return LM_ERR_NOENT;
	if (!mem || !irq || !d->threads || !d->timer)
		return give_up(d, "no Memory, Irq, Threads or Timer door", LM_ERR_UNSUPPORTED);
	if ((err = virtio_pci_door_open(&d->door, pci, f, &ops)))
		return give_up(d, "cannot open the PCI function", err);
	if ((err = virtio_pci_init(&d->dev, &ops)))
		return give_up(d, "not a modern virtio function", err);
	if ((err = virtio_pci_negotiate(&d->dev, VBLK_F_SIZE_MAX | VBLK_F_SEG_MAX | VBLK_F_RO |
							  VBLK_F_BLK_SIZE | VBLK_F_FLUSH |
							  VIRTIO_F_RING_EVENT_IDX)))
		return give_up(d, "feature negotiation failed", err);
	if ((err = read_config(d)))
		return give_up(d, "device configuration", err);

	/* The completion thread first: the queue's interrupt is bound to it. */
	t = threads_spawn(d->threads, completion, (uintptr_t)d, 1, 2,
			  (threads_name)(uintptr_t) "virtio-blk completion");
	if (!threads_spawn_result_is_thread(t))
		return give_up(d, "cannot start the completion thread", (enum lm_err)t);
	if ((err = (enum lm_err)irq_bind_msix(irq, f, 0, (threads_thread)t, VBLK_IRQ_BIT,
					      0xffffffff, &binding)))
		return give_up(d, "cannot bind MSI-X entry 0", err);
	if ((err = virtio_pci_queue_setup(&d->dev, 0, 256, 0, &dma, &d->q)))
		return give_up(d, "request queue setup", err);
	if ((err = slots_alloc(d, mem)))
		return give_up(d, "request buffers", err);
	virtio_pci_ready(&d->dev);
	if (virtio_pci_status(&d->dev) & VIRTIO_STATUS_FAILED)
		return give_up(d, "the device refused DRIVER_OK", LM_ERR_IO);
	return LM_OK;
}
