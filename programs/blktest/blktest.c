/*
 * blktest: the Block door end to end (tests/block.t, bench/block-bench),
 * against whatever disk programs/virtio-blk publishes. One mode a run:
 *
 *   write    64 threads at once write the pattern over the whole disk,
 *            then a flush
 *   verify   64 threads read the whole disk back and check the pattern
 *   bad      bad arguments and requests past the end are refused, and a
 *            good request still works after them
 *   readonly a write is refused, a read works
 *   ioerror  the disk fails reads of sector 100 (tests/block.t's blkdebug):
 *            that read is an I/O error, its neighbours read
 *   bench    4 KiB reads and writes per second at queue depth 1 and 32
 *
 * Each check is one line, "blktest: WHAT: ok" or "FAILED"; the run ends
 * with "blktest: all ok" or "blktest: N failed". The pattern of sector s,
 * word i (64-bit little-endian words, 64 a sector) is
 * ((s << 8) | i) ^ 0x4c656d6d696e6773; tests/block.t checks the image file
 * against the same formula.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/clock.h>
#include <lemmings/block.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#define THREADS 64
#define DOOR_WAIT_MS 30000 /* a liveness bound for the driver to publish */
#define BENCH_NS 1000000000ull
#define BENCH_SECTORS 8 /* 4 KiB */

static const struct block_door *blk;
static const struct threads_door *threads;
static const struct timer_door *timer;
static struct block_geometry geo;
static int failures;

static void check(int ok, const char *what)
{
	printf("blktest: %s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
}

static uint64_t pattern(uint64_t sector, unsigned word)
{
	return ((sector << 8) | word) ^ 0x4c656d6d696e6773ull;
}

static void sleep_ms(timer_timer t, uint64_t ms)
{
	timer_set(timer, t, timer_now(timer) + ms * 1000000);
	timer_wait(timer, t);
}

/* The driver is started alongside: wait for its door. */
static const struct block_door *door_wait(void)
{
	timer_create_result t = timer_create(timer);
	const struct block_door *d = block_door_find();

	if (!timer_create_result_is_timer(t))
		return d;
	for (unsigned ms = 0; !d && ms < DOOR_WAIT_MS; ms += 10) {
		sleep_ms((timer_timer)t, 10);
		d = block_door_find();
	}
	timer_destroy(timer, (timer_timer)t);
	return d;
}

/* ---- many threads at once ---- */

static threads_thread main_thread;
static unsigned running;
static unsigned bad_sectors, errors;
static uint64_t first_bad = ~0ull;
static enum lm_err first_err;

/* Run fn(arg) in n threads and wait for all of them. */
static void run_threads(unsigned n, void (*fn)(uintptr_t))
{
	threads_current_result me = threads_current(threads);

	main_thread = (threads_thread)me;
	running = n;
	for (uintptr_t i = 0; i < n; i++) {
		threads_spawn_result t = threads_spawn(threads, fn, i, 3, 2,
						       (threads_name)(uintptr_t)"blktest worker");

		if (!threads_spawn_result_is_thread(t)) {
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
			__atomic_sub_fetch(&running, 1, __ATOMIC_RELAXED);
		}
	}
	while (__atomic_load_n(&running, __ATOMIC_ACQUIRE))
		threads_park(threads);
}

static void worker_done(void)
{
	if (__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL) == 0)
		threads_unpark(threads, main_thread);
}

static void failed(enum lm_err err)
{
	if (__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED) == 1)
		first_err = err;
}

/* Write the pattern into count sectors at sector at, through buf. */
static void write_chunk(uint64_t *buf, uint64_t at, uint32_t count)
{
	enum lm_err err;

	for (uint32_t s = 0; s < count; s++)
		for (unsigned i = 0; i < 64; i++)
			buf[s * 64 + i] = pattern(at + s, i);
	err = (enum lm_err)block_write(blk, at, count, (uint8_t *)buf);
	if (err)
		failed(err);
}

static void note_bad(uint64_t sector)
{
	uint64_t was = __atomic_load_n(&first_bad, __ATOMIC_RELAXED);

	__atomic_add_fetch(&bad_sectors, 1, __ATOMIC_RELAXED);
	while (sector < was && !__atomic_compare_exchange_n(&first_bad, &was, sector, 0,
							     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* Read count sectors at sector at into buf and check the pattern. */
static void check_chunk(uint64_t *buf, uint64_t at, uint32_t count)
{
	enum lm_err err;

	memset(buf, 0x5a, (size_t)count * 512);
	err = (enum lm_err)block_read(blk, at, count, (uint8_t *)buf);
	if (err) {
		failed(err);
		return;
	}
	for (uint32_t s = 0; s < count; s++)
		for (unsigned i = 0; i < 64; i++)
			if (buf[s * 64 + i] != pattern(at + s, i)) {
				note_bad(at + s);
				break;
			}
}

/* Worker id does each of its chunks: id, id + THREADS, ... of max_count
 * sectors (the last one shorter). */
static void chunks(uintptr_t id, void (*each)(uint64_t *buf, uint64_t at, uint32_t count))
{
	uint64_t *buf = malloc((size_t)geo.max_count * 512);

	if (!buf)
		failed(LM_ERR_NOMEM);
	for (uint64_t at = id * geo.max_count; buf && at < geo.capacity;
	     at += (uint64_t)THREADS * geo.max_count)
		each(buf, at, geo.capacity - at < geo.max_count ? (uint32_t)(geo.capacity - at)
							       : geo.max_count);
	free(buf);
	worker_done();
}

static void writer(uintptr_t id)
{
	chunks(id, write_chunk);
}

static void reader(uintptr_t id)
{
	chunks(id, check_chunk);
}

static void write_all(void)
{
	char line[120];

	run_threads(THREADS, writer);
	snprintf(line, sizeof line, "%llu sectors written by %d threads at once (%u errors, first %s)",
		 (unsigned long long)geo.capacity, THREADS, errors, lm_err_str(first_err));
	check(!errors, line);
	check(block_flush(blk) == LM_OK, "flush");
}

static void verify_all(void)
{
	char line[160];

	run_threads(THREADS, reader);
	snprintf(line, sizeof line,
		 "%llu sectors read back by %d threads at once match the pattern "
		 "(%u errors, first %s; %u bad sectors, first %lld)",
		 (unsigned long long)geo.capacity, THREADS, errors, lm_err_str(first_err),
		 bad_sectors, bad_sectors ? (long long)first_bad : -1ll);
	check(!errors && !bad_sectors, line);
}

/* ---- refusals ---- */

static void refused(enum lm_err got, enum lm_err want, const char *what)
{
	char line[160];

	snprintf(line, sizeof line, "%s is refused with \"%s\" (got \"%s\")", what,
		 lm_err_str(want), lm_err_str(got));
	check(got == want, line);
}

static void bad_arguments(void)
{
	uint8_t *buf = malloc(((size_t)geo.max_count + 1) * 512);
	uint64_t end = geo.capacity;
	static uint8_t ok_buf[512];

	if (!buf) {
		check(0, "a buffer for the bad-argument checks");
		return;
	}
	refused(block_read(blk, 0, 0, buf), LM_ERR_INVAL, "a read of zero sectors");
	refused(block_write(blk, 0, 0, buf), LM_ERR_INVAL, "a write of zero sectors");
	refused(block_read(blk, end, 1, buf), LM_ERR_RANGE, "a read of the sector after the last");
	refused(block_write(blk, end, 1, buf), LM_ERR_RANGE, "a write of the sector after the last");
	refused(block_read(blk, end - 1, 2, buf), LM_ERR_RANGE, "a read running past the end");
	refused(block_write(blk, end - 1, 2, buf), LM_ERR_RANGE, "a write running past the end");
	refused(block_read(blk, ~0ull, 2, buf), LM_ERR_RANGE, "a read whose end wraps around");
	refused(block_read(blk, 0, geo.max_count + 1, buf), LM_ERR_RANGE,
		"a read of one sector more than max_count");
	refused(block_write(blk, 0, geo.max_count + 1, buf), LM_ERR_RANGE,
		"a write of one sector more than max_count");
	refused(block_read(blk, 0, 1, NULL), LM_ERR_FAULT, "a read into NULL");
	refused(block_write(blk, 0, 1, NULL), LM_ERR_FAULT, "a write from NULL");
	refused(block_read(blk, 0, 1, (uint8_t *)0x400000), LM_ERR_FAULT,
		"a read into the lower half");
	refused(block_read(blk, 0, 2, (uint8_t *)0xfffffffffffffe00ull), LM_ERR_FAULT,
		"a read into a buffer that wraps around");
	refused(block_write(blk, 0, 1, (const uint8_t *)0xffffffff80000000ull), LM_ERR_FAULT,
		"a write from the kernel image");
	refused(block_info(blk, NULL), LM_ERR_FAULT, "info into NULL");
	refused(block_read(blk, 0, 1, (uint8_t *)0xffffe00000000000ull), LM_ERR_FAULT,
		"a read into unmapped memory");
	refused(block_write(blk, 0, 1, (const uint8_t *)0xffffe00000000000ull), LM_ERR_FAULT,
		"a write from unmapped memory");
	refused(block_read(blk, 0, 1, (uint8_t *)(uintptr_t)bad_arguments), LM_ERR_FAULT,
		"a read into read-only memory (program text)");
	/* The driver still serves: the last sector, and max_count sectors. */
	memset(ok_buf, 0x5a, sizeof ok_buf);
	check(block_read(blk, end - 1, 1, ok_buf) == LM_OK, "the last sector is read after them");
	check(block_write(blk, end - 1, 1, ok_buf) == LM_OK &&
		      block_read(blk, 0, geo.max_count, buf) == LM_OK,
	      "a write of the last sector and a read of max_count sectors work after them");
	free(buf);
}

static void read_only(void)
{
	static uint8_t buf[512];

	check(geo.read_only == 1, "info says read-only");
	refused(block_write(blk, 0, 1, buf), LM_ERR_UNSUPPORTED, "a write to a read-only disk");
	check(block_read(blk, 0, 1, buf) == LM_OK, "a read of a read-only disk works");
}

static void io_error(void)
{
	static uint8_t buf[3 * 512];

	refused(block_read(blk, 100, 1, buf), LM_ERR_IO, "a read of sector 100");
	refused(block_read(blk, 99, 3, buf), LM_ERR_IO, "a read of sectors 99-101");
	check(block_read(blk, 99, 1, buf) == LM_OK && block_read(blk, 101, 1, buf) == LM_OK,
	      "sectors 99 and 101 read alone");
}

/* ---- benchmark ---- */

static uint64_t bench_end, bench_ops;
static int bench_write;

static void bench_worker(uintptr_t id)
{
	uint8_t *buf = malloc(BENCH_SECTORS * 512);
	uint64_t seed = id * 0x9e3779b97f4a7c15ull + 1, ops = 0;
	uint64_t slots = geo.capacity / BENCH_SECTORS;

	while (buf && timer_now(timer) < bench_end) {
		uint64_t at;
		enum lm_err err;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		at = ((seed >> 33) % slots) * BENCH_SECTORS;
		err = bench_write ? (enum lm_err)block_write(blk, at, BENCH_SECTORS, buf)
				  : (enum lm_err)block_read(blk, at, BENCH_SECTORS, buf);
		if (err) {
			failed(err);
			break;
		}
		ops++;
	}
	__atomic_add_fetch(&bench_ops, ops, __ATOMIC_RELAXED);
	free(buf);
	worker_done();
}

/* Two BENCH lines: requests per second, and TSC cycles per request (the
 * time the run took divided by the requests done, so at depth 32 the
 * cycles of overlapping requests are shared). */
static void bench_one(int write, unsigned depth)
{
	uint64_t start = timer_now(timer), c0 = lm_cycles(), ns, cycles;
	const char *what = write ? "write" : "read";

	bench_write = write;
	bench_ops = 0;
	bench_end = start + BENCH_NS;
	run_threads(depth, bench_worker);
	ns = timer_now(timer) - start;
	cycles = lm_cycles() - c0;
	printf("BENCH block.%s_4k_qd%u %llu ops/s\n", what, depth,
	       (unsigned long long)(bench_ops * 1000000000ull / (ns ? ns : 1)));
	printf("BENCH block.%s_4k_qd%u.cycles %llu cycles\n", what, depth,
	       (unsigned long long)(cycles / (bench_ops ? bench_ops : 1)));
}

static void bench(void)
{
	bench_one(0, 1);
	bench_one(0, 32);
	bench_one(1, 1);
	bench_one(1, 32);
	check(!errors, "every benchmark request succeeded");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	threads = threads_door_find();
	timer = timer_door_find();
	if (!threads || !timer) {
		printf("blktest: no Threads or Timer door\n");
		return 1;
	}
	blk = door_wait();
	if (!blk) {
		printf("blktest: no Block door after %d s\n", DOOR_WAIT_MS / 1000);
		return 1;
	}
	check(block_info(blk, &geo) == LM_OK && geo.sector_size == 512 &&
		      geo.capacity == block_capacity(blk) && block_sector_size(blk) == 512 &&
		      geo.max_count > 0,
	      "info agrees with capacity and sector_size");
	printf("blktest: %llu sectors, %u at most a request, block size %u%s%s\n",
	       (unsigned long long)geo.capacity, geo.max_count, geo.block_size,
	       geo.read_only ? ", read-only" : "", geo.cache ? ", write cache" : "");
	if (!strcmp(mode, "write"))
		write_all();
	else if (!strcmp(mode, "verify"))
		verify_all();
	else if (!strcmp(mode, "bad"))
		bad_arguments();
	else if (!strcmp(mode, "readonly"))
		read_only();
	else if (!strcmp(mode, "ioerror"))
		io_error();
	else if (!strcmp(mode, "bench"))
		bench();
	else
		check(0, "a mode: write, verify, bad, readonly, ioerror or bench");
	if (failures)
		printf("blktest: %d failed\n", failures);
	else
		printf("blktest: all ok\n");
	return 0;
}
