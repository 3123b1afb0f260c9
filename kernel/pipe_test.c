/*
 * In-kernel tests of pipes (kernel/pipe.c): bytes in order, the end when
 * the writers are gone, EPIPE when the readers are, blocking both ways,
 * whole small writes, nonblocking calls, giving up a wait, a megabyte
 * between two harts, and a named pipe's open waiting for the other end.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/pipe.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "lib/test.h"

TEST(pipe, bytes_come_out_in_order_then_the_end)
{
	unsigned before = pipe_count();
	uint8_t out[64];
	uint64_t n;
	struct pipe *p;

	ASSERT_EQ(pipe_create(&p), LM_OK);
	EXPECT_EQ(pipe_count(), before + 1);
	ASSERT_EQ(pipe_write(p, "hello, ", 7, false, NULL, &n), LM_OK);
	EXPECT_EQ(n, 7);
	ASSERT_EQ(pipe_write(p, "world", 5, false, NULL, &n), LM_OK);
	EXPECT_EQ(pipe_held(p), 12);
	ASSERT_EQ(pipe_read(p, out, 3, false, NULL, &n), LM_OK);
	EXPECT_EQ(n, 3);
	EXPECT(!memcmp(out, "hel", 3));
	ASSERT_EQ(pipe_read(p, out, sizeof out, false, NULL, &n), LM_OK);
	EXPECT_EQ(n, 9); /* what is there, not more */
	EXPECT(!memcmp(out, "lo, world", 9));
	EXPECT_EQ(pipe_read(p, out, sizeof out, true, NULL, &n), LM_ERR_BUSY); /* empty */
	pipe_close(p, PIPE_WRITER);
	ASSERT_EQ(pipe_read(p, out, sizeof out, false, NULL, &n), LM_OK);
	EXPECT_EQ(n, 0); /* the end */
	pipe_close(p, PIPE_READER);
	EXPECT_EQ(pipe_count(), before);
}

TEST(pipe, writing_without_a_reader_fails)
{
	struct pipe *p;
	uint64_t n = 99;

	ASSERT_EQ(pipe_create(&p), LM_OK);
	pipe_open(p, PIPE_READER); /* two readers: closing one is not enough */
	pipe_close(p, PIPE_READER);
	EXPECT_EQ(pipe_write(p, "x", 1, false, NULL, &n), LM_OK);
	pipe_close(p, PIPE_READER);
	EXPECT_EQ(pipe_write(p, "x", 1, false, NULL, &n), LM_ERR_CLOSED);
	EXPECT_EQ(n, 0);
	pipe_close(p, PIPE_WRITER);
}

TEST(pipe, nonblocking_writes_put_what_fits_whole)
{
	static uint8_t big[PIPE_SIZE + 100];
	struct pipe *p;
	uint64_t n;

	ASSERT_EQ(pipe_create(&p), LM_OK);
	ASSERT_EQ(pipe_write(p, big, 10, true, NULL, &n), LM_OK);
	/* PIPE_SIZE bytes do not fit whole now: none go in */
	EXPECT_EQ(pipe_write(p, big, PIPE_SIZE, true, NULL, &n), LM_ERR_BUSY);
	EXPECT_EQ(n, 0);
	/* more than PIPE_SIZE: what fits */
	EXPECT_EQ(pipe_write(p, big, sizeof big, true, NULL, &n), LM_OK);
	EXPECT_EQ(n, PIPE_SIZE - 10);
	EXPECT_EQ(pipe_write(p, big, 1, true, NULL, &n), LM_ERR_BUSY);
	pipe_close(p, PIPE_READER);
	pipe_close(p, PIPE_WRITER);
}

/* A reader thread on another hart where there is one. */
struct reader {
	struct pipe *p;
	uint64_t total, sum;
	enum lm_err err;
	volatile bool done, stop;
	uint64_t chunk;
	uint32_t leaves, retakes; /* of its pipe_stop: once each per waiting call */
};

static bool reader_stop(const void *ctx)
{
	return ((const struct reader *)ctx)->stop;
}

static void reader_leave(const void *ctx)
{
	__atomic_fetch_add(&((struct reader *)ctx)->leaves, 1, __ATOMIC_RELEASE);
}

static void reader_retake(const void *ctx)
{
	((struct reader *)ctx)->retakes++;
}

static void read_all(void *arg)
{
	struct reader *r = arg;
	struct pipe_stop stop = {reader_stop, r, reader_leave, reader_retake};
	uint8_t buf[300];
	uint64_t n;

	for (;;) {
		r->err = pipe_read(r->p, buf, r->chunk ? r->chunk : sizeof buf, false, &stop, &n);
		if (r->err || !n)
			break;
		for (uint64_t i = 0; i < n; i++)
			r->sum = r->sum * 31 + buf[i];
		r->total += n;
	}
	r->done = true;
}

static struct thread_opts reader_opts(struct reader *r)
{
	return (struct thread_opts){.entry = read_all, .arg = r, .priority = PRIO_REGULAR,
				    .hart = hart_count > 1 ? 1 : -1,
				    .notify = thread_current(), .notify_bits = 1};
}

TEST(pipe, a_reader_waits_for_bytes_and_a_megabyte_passes_between_harts)
{
	static struct reader r;
	struct thread_opts o = reader_opts(&r);
	uint64_t sum = 0, n, start;
	uint8_t block[1000];
	unsigned before = pipe_count();

	r = (struct reader){0};
	ASSERT_EQ(pipe_create(&r.p), LM_OK);
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	/* Its pipe_stop's leave is the sign that it waits. */
	start = plat_now_ns();
	while (!__atomic_load_n(&r.leaves, __ATOMIC_ACQUIRE) &&
	       plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		timer_sleep_ns(1000000);
	EXPECT(!r.done); /* nothing written: it waits */
	EXPECT_EQ(r.leaves, 1); /* and let go of its caller's lock, once */
	EXPECT_EQ(r.retakes, 0);
	for (unsigned k = 0; k < 1048; k++) {
		for (unsigned i = 0; i < sizeof block; i++) {
			block[i] = (uint8_t)(k * 7 + i);
			sum = sum * 31 + block[i];
		}
		/* the writer outruns the reader: it waits for room too */
		ASSERT_EQ(pipe_write(r.p, block, sizeof block, false, NULL, &n), LM_OK);
		ASSERT_EQ(n, sizeof block);
	}
	pipe_close(r.p, PIPE_WRITER); /* the end, after the bytes */
	thread_wait(1);
	EXPECT_EQ(r.err, LM_OK);
	EXPECT_EQ(r.leaves, r.retakes); /* every leave was taken back */
	EXPECT(r.leaves >= 1);
	EXPECT_EQ(r.total, 1048ull * sizeof block);
	EXPECT_EQ(r.sum, sum);
	pipe_close(r.p, PIPE_READER);
	EXPECT_EQ(pipe_count(), before);
}

/* Writes of up to PIPE_SIZE from two writers never interleave. */
struct writer {
	struct pipe *p;
	uint8_t byte;
};

static void write_records(void *arg)
{
	struct writer *w = arg;
	static uint8_t rec[2][PIPE_SIZE / 2 + 7];
	uint8_t *mine = rec[w->byte & 1];
	uint64_t n;

	memset(mine, w->byte, sizeof rec[0]);
	for (int i = 0; i < 50; i++)
		if (pipe_write(w->p, mine, sizeof rec[0], false, NULL, &n) || n != sizeof rec[0])
			break;
	pipe_close(w->p, PIPE_WRITER);
}

TEST(pipe, small_writes_go_in_whole)
{
	enum { REC = PIPE_SIZE / 2 + 7 };
	static struct writer w[2];
	static uint8_t rec[REC];
	struct pipe *p;
	uint64_t n, got = 0, records = 0;

	ASSERT_EQ(pipe_create(&p), LM_OK);
	pipe_open(p, PIPE_WRITER); /* one per writer thread */
	for (int i = 0; i < 2; i++) {
		struct thread_opts o = {.entry = write_records, .arg = &w[i],
					.priority = PRIO_REGULAR, .hart = -1};

		w[i] = (struct writer){p, (uint8_t)(0xa0 + i)};
		ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	}
	/* Read record by record: each is one writer's bytes only. */
	for (;;) {
		uint64_t have = 0;

		while (have < REC) {
			ASSERT_EQ(pipe_read(p, rec + have, REC - have, false, NULL, &n), LM_OK);
			if (!n)
				break;
			have += n;
		}
		if (!have)
			break;
		ASSERT_EQ(have, REC);
		for (unsigned i = 1; i < REC; i++)
			if (rec[i] != rec[0]) {
				test_diag("record %llu mixes writers at byte %u",
					  (unsigned long long)records, i);
				test_failed = true;
				break;
			}
		records++;
		got += have;
	}
	EXPECT_EQ(records, 100);
	pipe_close(p, PIPE_WRITER);
	pipe_close(p, PIPE_READER);
}

TEST(pipe, a_waiting_reader_gives_up_when_told)
{
	static struct reader r;
	struct thread_opts o = reader_opts(&r);
	struct thread *t;
	uint64_t start;

	r = (struct reader){0};
	ASSERT_EQ(pipe_create(&r.p), LM_OK);
	ASSERT_EQ(thread_spawn(&o, &t), LM_OK);
	start = plat_now_ns();
	while (!__atomic_load_n(&r.leaves, __ATOMIC_ACQUIRE) &&
	       plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		timer_sleep_ns(1000000); /* until it waits */
	r.stop = true;
	if (!r.done)
		thread_signal(t, THREAD_EV_SERVICE); /* as a process's ending does */
	thread_wait(1);
	EXPECT_EQ(r.err, LM_ERR_RESET);
	EXPECT_EQ(r.total, 0);
	EXPECT_EQ(r.leaves, 1); /* given up: the lock taken back all the same */
	EXPECT_EQ(r.retakes, 1);
	pipe_close(r.p, PIPE_WRITER);
	pipe_close(r.p, PIPE_READER);
}

/* A named pipe's open of the read end (pipe_wait_other), on r's pipe. */
static void wait_open(void *arg)
{
	struct reader *r = arg;
	struct pipe_stop stop = {reader_stop, r, reader_leave, reader_retake};

	r->err = pipe_wait_other(r->p, PIPE_READER, &stop);
	r->done = true;
}

/* Spawn wait_open on r (its pipe without writers) and see it wait. */
static void start_open(struct reader *r, struct thread **t)
{
	struct thread_opts o = reader_opts(r);
	uint64_t start = plat_now_ns();

	o.entry = wait_open;
	ASSERT_EQ(thread_spawn(&o, t), LM_OK);
	while (!__atomic_load_n(&r->leaves, __ATOMIC_ACQUIRE) &&
	       plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		timer_sleep_ns(1000000);
	EXPECT(!r->done);
	EXPECT_EQ(r->leaves, 1);
}

TEST(pipe, an_open_waits_for_the_other_end_even_if_it_closes_at_once)
{
	static struct reader r;
	struct thread *t;
	unsigned before = pipe_count();

	r = (struct reader){0};
	ASSERT_EQ(pipe_create(&r.p), LM_OK);
	pipe_close(r.p, PIPE_WRITER); /* a FIFO's first open, a reader's */
	EXPECT_EQ(pipe_ends(r.p, PIPE_WRITER), 0);
	start_open(&r, &t);
	pipe_open(r.p, PIPE_WRITER); /* a writer comes and goes before it wakes */
	pipe_close(r.p, PIPE_WRITER);
	thread_wait(1);
	EXPECT_EQ(r.err, LM_OK);
	EXPECT_EQ(r.retakes, 1);

	/* With a writer there, no wait at all. */
	pipe_open(r.p, PIPE_WRITER);
	EXPECT_EQ(pipe_ends(r.p, PIPE_WRITER), 1);
	r.leaves = r.retakes = 0;
	EXPECT_EQ(pipe_wait_other(r.p, PIPE_READER, NULL), LM_OK);
	pipe_close(r.p, PIPE_WRITER);

	/* Told to stop (a signal, the process's end): LM_ERR_RESET. */
	r.done = false;
	start_open(&r, &t);
	r.stop = true;
	if (!r.done)
		thread_signal(t, THREAD_EV_SERVICE);
	thread_wait(1);
	EXPECT_EQ(r.err, LM_ERR_RESET);
	EXPECT_EQ(r.retakes, 1);
	pipe_close(r.p, PIPE_READER);
	EXPECT_EQ(pipe_count(), before);
}
