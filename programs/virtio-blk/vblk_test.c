/*
 * Host tests of the driver's requests and completion (vblk.c), under ASan
 * and UBSan, against a device played by the test in memory
 * (sdk/virtio/virtq_testdev.c): callers are POSIX threads, the Threads door
 * a fake over a mutex and a condition variable per thread, and the test's
 * main thread is the device and the completion thread at once. An honest
 * device serves many callers at once; a device that reports errors, writes
 * no status or too few bytes, or breaks its queue, makes the calls return
 * an error and never crashes or hangs anything.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sched_test.h"
#include "lib/test.h"
#include "programs/virtio-blk/vblk.h"
#include "sdk/virtio/virtq_testdev.h"

#define SLOTS 8
#define SECTORS 128

/* ---- a Threads door over POSIX threads ---- */

struct fthread {
	pthread_mutex_t m;
	pthread_cond_t c;
	int token;
};

/* One per thread that ever asks, never reused: an unpark that comes late
 * (after its thread ended) finds memory that is still its own. */
#define FTHREADS 256
static struct fthread fthreads[FTHREADS];
static unsigned fthreads_used;
static __thread struct fthread *self;

static threads_current_result f_current(void)
{
	if (!self) {
		unsigned i = __atomic_fetch_add(&fthreads_used, 1, __ATOMIC_RELAXED);

		if (i >= FTHREADS)
			return LM_ERR_FULL;
		self = &fthreads[i];
		pthread_mutex_init(&self->m, NULL);
		pthread_cond_init(&self->c, NULL);
	}
	return (threads_current_result)(uintptr_t)self;
}

static void f_park(void)
{
	f_current();
	pthread_mutex_lock(&self->m);
	while (!self->token)
		pthread_cond_wait(&self->c, &self->m);
	self->token = 0;
	pthread_mutex_unlock(&self->m);
}

static threads_status f_unpark(threads_thread t)
{
	struct fthread *f = (struct fthread *)t;

	pthread_mutex_lock(&f->m);
	f->token = 1;
	pthread_cond_signal(&f->c);
	pthread_mutex_unlock(&f->m);
	return LM_OK;
}

static void f_yield(void)
{
	sched_yield();
}

static const struct threads_door fake_threads = {
	.header = THREADS_DOOR_HEADER,
	.current = f_current,
	.park = f_park,
	.unpark = f_unpark,
	.yield = f_yield,
};

/* ---- the function's registers: status reads 0 (a reset ends at once) ---- */

static int doorbells, status_zeroed;

static uint32_t f_bar_read(void *ctx, unsigned bar, uint64_t off, unsigned width)
{
	return 0;
}

static void f_bar_write(void *ctx, unsigned bar, uint64_t off, unsigned width, uint32_t v)
{
	if (bar == 1)
		__atomic_add_fetch(&doorbells, 1, __ATOMIC_RELAXED);
	else if (v == 0)
		status_zeroed = 1;
}

/* ---- the driver and its device ---- */

static struct vblk d;
static struct virtq_testdev dev;
static uint8_t disk[SECTORS * VBLK_SECTOR];

static void setup(void)
{
	memset(&d, 0, sizeof d);
	d.threads = &fake_threads;
	d.timer = NULL; /* the lock's waiters yield */
	lm_lock_init(&d.lock, d.threads, d.timer);
	d.dev.ops.bar_read = f_bar_read;
	d.dev.ops.bar_write = f_bar_write;
	d.dev.common = (struct virtio_pci_region){true, 0, 0, 0x38};
	d.dev.notify = (struct virtio_pci_region){true, 1, 0, 4};
	d.capacity = SECTORS;
	d.max_count = VBLK_MAX_COUNT;
	doorbells = status_zeroed = 0;
	ASSERT_EQ(virtq_create(32, false, &virtq_testdev_dma, &d.q.vq), LM_OK);
	for (unsigned i = 0; i < SLOTS; i++)
		vblk_slot_add(&d, aligned_alloc(64, 64), 0, aligned_alloc(4096, VBLK_MAX_COUNT * 512),
			      0);
	/* Host memory is its own physical address (as virtq_testdev_dma's). */
	for (unsigned i = 0; i < SLOTS; i++) {
		d.slots[i].header_phys = (uintptr_t)d.slots[i].header;
		d.slots[i].data_phys = (uintptr_t)d.slots[i].data;
	}
	virtq_testdev_attach(&dev, d.q.vq);
}

static void teardown(void)
{
	unsigned free_slots = 0;

	for (struct vblk_slot *s = d.free; s; s = s->next)
		free_slots++;
	EXPECT_EQ(free_slots, SLOTS); /* every slot came back */
	for (unsigned i = 0; i < SLOTS; i++) {
		free(d.slots[i].header);
		free(d.slots[i].data);
	}
	virtq_destroy(d.q.vq);
}

/* How the device answers one chain. */
enum answer { HONEST, STATUS_IOERR, STATUS_UNSUPP, STATUS_GARBAGE, SHORT_LENGTH, NO_STATUS };

/* Serve the chain at head from disk; push its used element. */
static void serve(uint16_t head, enum answer how)
{
	struct virtq_desc *h = &dev.desc[head], *data = NULL, *st;
	struct vblk_header *hdr = (struct vblk_header *)(uintptr_t)h->addr;
	uint8_t *status;
	uint32_t written = 1;

	st = &dev.desc[h->next];
	if (st->flags & VIRTQ_DESC_F_NEXT) {
		data = st;
		st = &dev.desc[data->next];
	}
	status = (uint8_t *)(uintptr_t)st->addr;
	if (data && hdr->sector * 512 + data->len <= sizeof disk) {
		uint8_t *at = disk + hdr->sector * 512, *buf = (uint8_t *)(uintptr_t)data->addr;

		if (hdr->type == VBLK_T_IN) {
			memcpy(buf, at, data->len);
			written += data->len;
		} else if (hdr->type == VBLK_T_OUT) {
			memcpy(at, buf, data->len);
		}
	}
	*status = how == STATUS_IOERR ? VBLK_S_IOERR
		  : how == STATUS_UNSUPP ? VBLK_S_UNSUPP
		  : how == STATUS_GARBAGE ? 0x77
		  : how == NO_STATUS ? 0xff /* as the driver left it */
				     : VBLK_S_OK;
	if (how == SHORT_LENGTH)
		written = written > 1 ? written - 512 : 0;
	virtq_testdev_push(&dev, head, written);
}

/* The completion thread's work once: harvest and unpark. */
static unsigned complete(void)
{
	threads_thread wake[VBLK_SLOTS_MAX];
	unsigned n = vblk_complete(&d, wake);

	for (unsigned i = 0; i < n; i++)
		f_unpark(wake[i]);
	return n;
}

/* The next published chain, waited for within the liveness bound. */
static bool next_chain(uint16_t *head)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (virtq_testdev_pop(&dev, head))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)t.tv_nsec -
			    (uint64_t)t0.tv_nsec >
		    SCHED_TEST_LIVENESS_NS)
			return false;
		sched_yield();
	}
}

/* ---- callers ---- */

struct call {
	pthread_t thread;
	uint32_t type;
	uint64_t sector;
	uint32_t count;
	uint8_t buf[2 * 512];
	enum lm_err result;
	int finished;
};

static void *caller(void *arg)
{
	struct call *c = arg;

	c->result = vblk_request(&d, c->type, c->sector, c->count, c->buf);
	__atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void call_start(struct call *c, uint32_t type, uint64_t sector, uint32_t count)
{
	c->type = type;
	c->sector = sector;
	c->count = count;
	c->finished = 0;
	pthread_create(&c->thread, NULL, caller, c);
}

/* One request answered as how; its result. */
static enum lm_err one(uint32_t type, uint64_t sector, enum answer how)
{
	struct call c;
	uint16_t head;

	memset(c.buf, 0x11, sizeof c.buf);
	call_start(&c, type, sector, 1);
	if (next_chain(&head)) {
		serve(head, how);
		complete();
	}
	pthread_join(c.thread, NULL);
	return c.result;
}

/* ---- tests ---- */

struct worker {
	pthread_t thread;
	unsigned id;
	int errors;
};

#define ROUNDS 40

/* Each worker writes its own sector and reads it back, ROUNDS times. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	uint8_t out[512], in[512];

	for (unsigned r = 0; r < ROUNDS; r++) {
		memset(out, (int)(w->id * 16 + r), sizeof out);
		if (vblk_request(&d, VBLK_T_OUT, w->id, 1, out) ||
		    vblk_request(&d, VBLK_T_IN, w->id, 1, in) || memcmp(in, out, sizeof in))
			w->errors++;
	}
	return NULL;
}

/* Sixteen callers on eight slots: some wait for a slot, all are served,
 * every answer reaches its own caller. */
TEST(vblk, many_callers_share_the_slots_and_each_gets_its_own_answer)
{
	enum { WORKERS = 16 };
	struct worker w[WORKERS];
	unsigned served = 0;
	uint16_t head;

	setup();
	for (unsigned i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){.id = i};
		pthread_create(&w[i].thread, NULL, worker, &w[i]);
	}
	while (served < WORKERS * ROUNDS * 2 && next_chain(&head)) {
		serve(head, HONEST);
		served++;
		/* Answer in batches now and then: several finished at once. */
		if (served % 3 == 0 || served == WORKERS * ROUNDS * 2)
			complete();
		else if (!virtq_testdev_pop(&dev, &head))
			complete();
		else {
			serve(head, HONEST);
			served++;
			complete();
		}
	}
	for (unsigned i = 0; i < WORKERS; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(w[i].errors, 0);
	}
	EXPECT_EQ(served, WORKERS * ROUNDS * 2);
	EXPECT(doorbells > 0);
	teardown();
}

TEST(vblk, a_device_error_is_an_error_for_that_request_only)
{
	setup();
	EXPECT_EQ(one(VBLK_T_IN, 3, STATUS_IOERR), LM_ERR_IO);
	EXPECT_EQ(one(VBLK_T_OUT, 3, STATUS_IOERR), LM_ERR_IO);
	EXPECT_EQ(one(VBLK_T_FLUSH, 0, STATUS_UNSUPP), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(one(VBLK_T_IN, 3, HONEST), LM_OK);
	EXPECT(!d.broken);
	teardown();
}

/* A status byte that is none of the three, one the device never wrote, or
 * fewer bytes than a read asked for: an I/O error, not the caller's data
 * taken for good. */
TEST(vblk, a_status_or_length_the_device_should_not_give_is_an_io_error)
{
	setup();
	EXPECT_EQ(one(VBLK_T_IN, 5, STATUS_GARBAGE), LM_ERR_IO);
	EXPECT_EQ(one(VBLK_T_IN, 5, NO_STATUS), LM_ERR_IO);
	EXPECT_EQ(one(VBLK_T_IN, 5, SHORT_LENGTH), LM_ERR_IO);
	EXPECT_EQ(one(VBLK_T_OUT, 5, SHORT_LENGTH), LM_ERR_IO); /* wrote nothing, not even the status */
	EXPECT_EQ(one(VBLK_T_OUT, 5, HONEST), LM_OK);
	EXPECT(!d.broken);
	teardown();
}

/* The device names a chain that is not out: the queue is broken. The
 * device is reset, every caller waiting gets LM_ERR_IO, and so does every
 * later call, at once. */
TEST(vblk, a_device_that_breaks_its_queue_fails_every_request_and_is_reset)
{
	enum { WAITING = 4 };
	struct call c[WAITING], later;
	uint16_t head;
	unsigned seen = 0;

	setup();
	for (unsigned i = 0; i < WAITING; i++)
		call_start(&c[i], VBLK_T_IN, i, 1);
	while (seen < WAITING && next_chain(&head))
		seen++;
	EXPECT_EQ(seen, WAITING);
	virtq_testdev_push(&dev, 31, 1); /* not the head of any published chain */
	complete();
	for (unsigned i = 0; i < WAITING; i++) {
		pthread_join(c[i].thread, NULL);
		EXPECT_EQ(c[i].result, LM_ERR_IO);
	}
	EXPECT(d.broken);
	EXPECT(status_zeroed);
	call_start(&later, VBLK_T_IN, 0, 1);
	pthread_join(later.thread, NULL);
	EXPECT_EQ(later.result, LM_ERR_IO);
	EXPECT_EQ(complete(), 0); /* a late interrupt finds nothing */
	teardown();
}

/* The used index jumps past what was published: the same. */
TEST(vblk, a_used_index_past_the_published_chains_breaks_the_queue)
{
	struct call c;
	uint16_t head;

	setup();
	call_start(&c, VBLK_T_OUT, 1, 2);
	EXPECT(next_chain(&head));
	virtq_testdev_set_used(&dev, 5);
	complete();
	pthread_join(c.thread, NULL);
	EXPECT_EQ(c.result, LM_ERR_IO);
	EXPECT(d.broken);
	teardown();
}
