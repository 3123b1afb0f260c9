/*
 * Requests to the virtio block device (vblk.h): the request slots, the
 * completion thread, and what happens when the device breaks its
 * queue. Set up by vblk_setup.c; nothing here finds a door but through
 * struct vblk, so the host test (vblk_test.c) runs it against a device in
 * memory.
 *
 * Invariants: a slot is free (on d->free), held by one caller, or in
 * flight (its chain in the queue, token the slot); a caller waiting for a
 * slot is in d->waiting only while d->free is empty. After d->broken no
 * chain is added: the completion thread reset the device and failed every
 * chain still out.
 */
#include <stdio.h>
#include <string.h>


#include "programs/virtio-blk/vblk.h"

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

	lm_lock(&d->lock);
	s = d->free;
	if (s) {
		d->free = s->next;
		lm_unlock(&d->lock);
		return s;
	}
	if (d->waiting_tail)
		d->waiting_tail->next = &w;
	else
		d->waiting = &w;
	d->waiting_tail = &w;
	lm_unlock(&d->lock);
	while (!(s = __atomic_load_n(&w.slot, __ATOMIC_ACQUIRE)))
		threads_park(d->threads);
	return s;
}

/* Give s to the first waiting caller, or back to the free list. */
static void slot_put(struct vblk *d, struct vblk_slot *s)
{
	struct vblk_wait *w;
	threads_thread t;

	lm_lock(&d->lock);
	w = d->waiting;
	if (!w) {
		s->next = d->free;
		d->free = s;
		lm_unlock(&d->lock);
		return;
	}
	d->waiting = w->next;
	if (!d->waiting)
		d->waiting_tail = NULL;
	lm_unlock(&d->lock);
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

unsigned vblk_complete(struct vblk *d, threads_thread *wake)
{
	unsigned n = 0;
	struct virtq_done done;
	enum lm_err err;

	lm_lock(&d->lock);
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
	lm_unlock(&d->lock);
	return n;
}

void vblk_completion(uintptr_t arg)
{
	struct vblk *d = (struct vblk *)arg;
	threads_thread wake[VBLK_SLOTS_MAX];

	for (;;) {
		unsigned n;

		threads_wait(d->threads, 1ull << VBLK_IRQ_BIT);
		n = vblk_complete(d, wake);
		for (unsigned i = 0; i < n; i++)
			threads_unpark(d->threads, wake[i]);
	}
}

void vblk_slot_add(struct vblk *d, void *header, uint64_t header_phys, void *data,
		   uint64_t data_phys)
{
	struct vblk_slot *s = &d->slots[d->nslots++];

	s->header = header;
	s->header_phys = header_phys;
	s->data = data;
	s->data_phys = data_phys;
	s->next = d->free;
	d->free = s;
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
		return (enum lm_err)me; /* no handle could be made for the caller */
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

	lm_lock(&d->lock);
	err = d->broken ? LM_ERR_IO : virtq_add(d->q.vq, bufs, out, in, s);
	notify = !err && virtq_publish(d->q.vq);
	lm_unlock(&d->lock);
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

