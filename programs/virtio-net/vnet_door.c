/*
 * The Ethernet door (sdk/idl/ethernet.idl) over the virtio-net driver's
 * queues (vnet.h; docs/drivers.md, "virtio-net and the Ethernet door").
 * Its routines run in the caller's thread, as every door's do.
 *
 * send copies the frame once, behind a zeroed 12-byte virtio-net header,
 * into a free transmit buffer and hands that buffer to the device; it
 * returns as soon as the device has it (the transmit thread takes the
 * buffer back when the device is done), so up to one queue's worth of
 * frames are in flight. With every buffer in flight the sender waits, in
 * order, for the transmit thread to hand it the next one freed.
 *
 * receive takes the oldest frame the device filled, or waits, in order,
 * for the receive thread to hand it the next; it copies the frame into the
 * caller's buffer and gives the buffer back to the device. One frame, one
 * receiver.
 *
 * Caller pointers: NULL (below 0x1000) or wrapping ones get LM_ERR_INVAL;
 * memory that is not mapped (or, for what the door writes, not writable)
 * gets LM_ERR_FAULT (lm_memory_check), before the door holds a lock or a
 * buffer.
 *
 * Locking: as vnet.h says; a caller's memory is read or written only with
 * no lock held.
 */
#include <string.h>

#include <lemmings/ethernet.h>
#include <lemmings/systab.h>

#include "programs/virtio-net/vnet.h"

static bool range_ok(const void *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p;

	return a >= 0x1000 && a + len >= a;
}

/* Can the caller's [p, p+len) be read (and written, if write)? */
static bool mapped(const void *p, uint64_t len, bool write)
{
	return lm_memory_check(p, len, write) == LM_OK;
}

static void count_error(void)
{
	__atomic_fetch_add(&vnet.errors, 1, __ATOMIC_RELAXED);
}

/* A buffer of q for the caller (me, its thread): one from the list, or
 * wait for one. Called and returns with q's lock held. */
static enum lm_err take(struct vnet_queue *q, threads_current_result me, uint16_t *buf,
			uint32_t *len)
{
	struct vnet_waiter w = {0};

	if (vnet.broken || !threads_current_result_is_thread(me))
		return LM_ERR_IO;
	if (q->used) {
		vnet_list_pop(q, buf, len);
		return LM_OK;
	}
	w.thread = (threads_thread)me;
	vnet_waiter_sleep(q, &w);
	*buf = w.buf;
	*len = w.len;
	return w.err;
}

static ethernet_status send(const uint8_t *frame, uint64_t length)
{
	struct vnet_queue *q = &vnet.tx;
	threads_current_result me;
	struct virtq_buf b;
	uint8_t *dst;
	uint16_t buf;
	uint32_t unused;
	enum lm_err err;

	if (!range_ok(frame, length))
		return LM_ERR_INVAL;
	if (length < VNET_ETH_HDR || length > VNET_ETH_HDR + vnet.mtu)
		return LM_ERR_RANGE;
	if (!mapped(frame, length, false))
		return LM_ERR_FAULT;
	me = threads_current(vnet.threads);
	lm_lock(&q->lock);
	err = take(q, me, &buf, &unused);
	lm_unlock(&q->lock);
	if (err) {
		count_error();
		return err;
	}
	dst = q->bufs + (size_t)buf * VNET_BUF;
	memset(dst, 0, VNET_HDR);
	memcpy(dst + VNET_HDR, frame, length);
	b = (struct virtq_buf){q->bufs_phys + (uint64_t)buf * VNET_BUF, (uint32_t)(VNET_HDR + length)};
	lm_lock(&q->lock);
	err = vnet.broken ? LM_ERR_IO : virtq_add(q->q.vq, &b, 1, 0, (void *)(uintptr_t)(buf + 1));
	if (err) {
		vnet_list_push(q, buf, 0);
	} else {
		virtio_pci_kick(&vnet.dev, &q->q);
		q->frames++;
		q->bytes += length;
	}
	lm_unlock(&q->lock);
	if (err) {
		count_error();
		if (err == LM_ERR_IO)
			vnet_break("its transmit queue broke");
		return LM_ERR_IO;
	}
	return LM_OK;
}

static ethernet_status receive(uint8_t *buffer, uint64_t length, uint64_t *got)
{
	struct vnet_queue *q = &vnet.rx;
	threads_current_result me;
	uint16_t buf;
	uint32_t len;
	enum lm_err err;

	if (!range_ok(buffer, length) || !range_ok(got, sizeof *got))
		return LM_ERR_INVAL;
	if (length < VNET_ETH_HDR + vnet.mtu)
		return LM_ERR_RANGE;
	if (!mapped(buffer, length, true) || !mapped(got, sizeof *got, true))
		return LM_ERR_FAULT;
	me = threads_current(vnet.threads);
	lm_lock(&q->lock);
	for (;;) {
		if ((err = take(q, me, &buf, &len)))
			break;
		len -= VNET_HDR; /* the receive thread saw at least a header */
		if (len <= VNET_ETH_HDR + vnet.mtu)
			break;
		/* Longer than the MTU the device promised: not given out. */
		__atomic_fetch_add(&vnet.drops, 1, __ATOMIC_RELAXED);
		vnet_rx_post(buf);
		virtio_pci_kick(&vnet.dev, &q->q);
	}
	lm_unlock(&q->lock);
	if (err) {
		count_error();
		return err;
	}
	memcpy(buffer, q->bufs + (size_t)buf * VNET_BUF + VNET_HDR, len);
	*got = len;
	lm_lock(&q->lock);
	if (!vnet.broken) {
		vnet_rx_post(buf);
		virtio_pci_kick(&vnet.dev, &q->q);
	}
	q->frames++;
	q->bytes += len;
	lm_unlock(&q->lock);
	return LM_OK;
}

static ethernet_status info(struct ethernet_link_info *out)
{
	uint64_t status = VNET_S_LINK_UP, mac = 0;
	enum lm_err err = LM_OK;

	if (!range_ok(out, sizeof *out))
		return LM_ERR_INVAL;
	if (!mapped(out, sizeof *out, true))
		return LM_ERR_FAULT;
	if (vnet.has_status) {
		lm_lock(&vnet.config_lock);
		err = virtio_pci_device_read(&vnet.dev, 6, 2, &status);
		lm_unlock(&vnet.config_lock);
	}
	for (unsigned i = 0; i < 6; i++)
		mac |= (uint64_t)vnet.mac[i] << (8 * i);
	out->mac = mac;
	out->mtu = vnet.mtu;
	out->link = !err && !__atomic_load_n(&vnet.broken, __ATOMIC_RELAXED) &&
		    (status & VNET_S_LINK_UP);
	return err ? LM_ERR_IO : LM_OK;
}

static ethernet_status counters(struct ethernet_stats *out)
{
	struct ethernet_stats s;

	if (!range_ok(out, sizeof *out))
		return LM_ERR_INVAL;
	if (!mapped(out, sizeof *out, true))
		return LM_ERR_FAULT;
	lm_lock(&vnet.tx.lock);
	s.sent_frames = vnet.tx.frames;
	s.sent_bytes = vnet.tx.bytes;
	lm_unlock(&vnet.tx.lock);
	lm_lock(&vnet.rx.lock);
	s.received_frames = vnet.rx.frames;
	s.received_bytes = vnet.rx.bytes;
	lm_unlock(&vnet.rx.lock);
	s.drops = __atomic_load_n(&vnet.drops, __ATOMIC_RELAXED);
	s.errors = __atomic_load_n(&vnet.errors, __ATOMIC_RELAXED);
	*out = s;
	return LM_OK;
}

static const struct ethernet_door door = {
	.header = ETHERNET_DOOR_HEADER,
	.info = info,
	.send = send,
	.receive = receive,
	.counters = counters,
};

enum lm_err vnet_door_publish(void)
{
	return lm_door_register(&door.header);
}
