/*
 * Tests of the hosted Net door (hosted/net.c), called through the hallway
 * as a program calls it, on 127.0.0.1 with ports the system picks. They run
 * on one hart (hosted_net_test) and on four (tests/hosted-smp.t).
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <lemmings/net.h>
#include <lemmings/threads.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "hosted/net.h"
#include "lib/string.h"
#include "lib/test.h"

#define LOOPBACK 0x7f000001u
#define MS 1000000ull
#define SECONDS 1000000000ull
#define LIVENESS (10 * SECONDS) /* no wait in these tests should come near */

static const struct net_door *net(void)
{
	return net_door_find();
}

/* A listener on 127.0.0.1 at a port the system picked, and that port. */
static net_socket listen_any(uint16_t *port)
{
	net_socket l = 0;
	struct net_endpoint at;

	if (net_listen(net(), LOOPBACK, 0, 16, &l) || net_local(net(), l, &at))
		return 0;
	*port = at.port;
	return l;
}

/* Send all of len bytes. */
static net_error send_all(net_socket s, const void *data, uint64_t len)
{
	const uint8_t *p = data;

	while (len) {
		uint64_t sent = 0;
		net_error err = net_send(net(), s, p, len, LIVENESS, &sent);

		if (err)
			return err;
		p += sent;
		len -= sent;
	}
	return LM_OK;
}

/* Receive exactly len bytes (or fewer, if the peer shuts down first). */
static uint64_t recv_all(net_socket s, void *data, uint64_t len)
{
	uint8_t *p = data;
	uint64_t total = 0;

	while (total < len) {
		uint64_t got = 0;

		if (net_recv(net(), s, p + total, len - total, LIVENESS, &got) || !got)
			break;
		total += got;
	}
	return total;
}

/* ---- one connection, both ends in this program ---- */

struct echo {
	net_socket listener;
	uint64_t notify;   /* the test thread's handle */
	net_error status;
};

/* Accept one connection and send back what comes, until the peer shuts
 * down its side. */
static void echo_server(uintptr_t arg)
{
	struct echo *e = (struct echo *)arg;
	struct net_endpoint peer;
	net_socket c;
	uint8_t buf[256];
	uint64_t got;

	e->status = net_accept(net(), e->listener, LIVENESS, &c, &peer);
	if (!e->status && peer.ip != LOOPBACK)
		e->status = LM_ERR_INVAL;
	while (!e->status) {
		e->status = net_recv(net(), c, buf, sizeof buf, LIVENESS, &got);
		if (e->status || !got)
			break;
		e->status = send_all(c, buf, got);
	}
	if (!e->status)
		e->status = net_close(net(), c);
	thread_signal_handle(e->notify, 1);
}

static enum lm_err spawn(void (*fn)(uintptr_t), void *arg)
{
	threads_spawn_result r = threads_spawn(threads_door_find(), fn, (uintptr_t)arg, 3, 0, 0);

	return threads_spawn_result_is_thread(r) ? LM_OK : (enum lm_err)r;
}

TEST(net, tcp_echo_through_the_door)
{
	struct echo e = {0};
	uint16_t port = 0;
	net_socket c;
	char reply[64];
	uint64_t got = 0, sent = 0;

	ASSERT(net() != NULL);
	EXPECT_STREQ(net()->header.name, "net");
	ASSERT_EQ(thread_current_handle(&e.notify), LM_OK);
	e.listener = listen_any(&port);
	ASSERT(e.listener != 0);
	EXPECT(port != 0);
	ASSERT_EQ(spawn(echo_server, &e), LM_OK);

	ASSERT_EQ(net_connect(net(), LOOPBACK, port, LIVENESS, &c), LM_OK);
	EXPECT_EQ(send_all(c, "hello, ", 7), LM_OK);
	EXPECT_EQ(net_send_two(net(), c, (const uint8_t *)"head+", 5, (const uint8_t *)"body", 4,
			       LIVENESS, &sent),
		  LM_OK);
	EXPECT_EQ(sent, 9);
	EXPECT_EQ(recv_all(c, reply, 16), 16);
	EXPECT(memcmp(reply, "hello, head+body", 16) == 0);
	/* Our side shut: the echo ends, closes, and we read the end. */
	EXPECT_EQ(net_shutdown(net(), c, 1), LM_OK);
	EXPECT_EQ(net_recv(net(), c, (uint8_t *)reply, sizeof reply, LIVENESS, &got), LM_OK);
	EXPECT_EQ(got, 0);
	EXPECT_EQ(thread_wait(1), 1);
	EXPECT_EQ(e.status, LM_OK);
	EXPECT_EQ(net_close(net(), c), LM_OK);
	EXPECT_EQ(net_close(net(), e.listener), LM_OK);
}

/* ---- errors ---- */

TEST(net, bad_and_closed_sockets_are_refused)
{
	uint16_t port = 0;
	net_socket l = listen_any(&port), c;
	struct net_endpoint at;
	uint64_t got;
	uint8_t b;

	ASSERT(l != 0);
	/* Never a socket: a made-up value, an even generation, a slot never used. */
	EXPECT_EQ(net_close(net(), 0x123456789000ull), LM_ERR_INVAL);
	EXPECT_EQ(net_local(net(), (2ull << 32) | 1, &at), LM_ERR_INVAL);
	EXPECT_EQ(net_recv(net(), (1ull << 32) | 100000, &b, 1, 0, &got), LM_ERR_INVAL);
	/* A listener is not a connection. */
	EXPECT_EQ(net_recv(net(), l, &b, 1, 0, &got), LM_ERR_INVAL);
	EXPECT_EQ(net_accept(net(), l, 1, &c, &at), LM_ERR_TIMEOUT);
	EXPECT_EQ(net_close(net(), l), LM_OK);
	/* Closed: its handle names nothing, even once the slot is used again. */
	EXPECT_EQ(net_close(net(), l), LM_ERR_NOENT);
	EXPECT_EQ(net_local(net(), l, &at), LM_ERR_NOENT);
	c = listen_any(&port);
	ASSERT(c != 0);
	EXPECT(c != l);
	EXPECT_EQ(net_local(net(), l, &at), LM_ERR_NOENT);
	EXPECT_EQ(net_shutdown(net(), c, 3), LM_ERR_INVAL);
	EXPECT_EQ(net_close(net(), c), LM_OK);
}

TEST(net, connection_errors_have_names)
{
	uint16_t port = 0;
	net_socket l = listen_any(&port), c = 0, again = 0;

	ASSERT(l != 0);
	/* The port is taken. */
	EXPECT_EQ(net_listen(net(), LOOPBACK, port, 16, &again), LM_ERR_ADDRINUSE);
	EXPECT_EQ(net_close(net(), l), LM_OK);
	/* Nobody listens there any more. */
	EXPECT_EQ(net_connect(net(), LOOPBACK, port, LIVENESS, &c), LM_ERR_REFUSED);
	EXPECT_EQ(net_listen(net(), LOOPBACK, 0, 0, &again), LM_ERR_INVAL); /* backlog */
}

/* ---- blocking blocks only the caller ---- */

struct blocked {
	net_socket socket;
	uint64_t notify;
	net_error status;
	uint64_t returned_after;
};

static void recv_forever(uintptr_t arg)
{
	struct blocked *b = (struct blocked *)arg;
	uint64_t start = plat_now_ns(), got;
	uint8_t byte;

	b->status = net_recv(net(), b->socket, &byte, 1, 0, &got);
	b->returned_after = plat_now_ns() - start;
	thread_signal_handle(b->notify, 2);
}

TEST(net, recv_times_out_and_close_wakes_the_blocked)
{
	uint16_t port = 0;
	net_socket l = listen_any(&port), c, s;
	struct net_endpoint peer;
	struct blocked b = {0};
	uint64_t start, got = 0;
	uint8_t byte;

	ASSERT(l != 0);
	ASSERT_EQ(net_connect(net(), LOOPBACK, port, LIVENESS, &c), LM_OK);
	ASSERT_EQ(net_accept(net(), l, LIVENESS, &s, &peer), LM_OK);

	/* Nothing comes: the timeout ends the call, never before it. */
	start = plat_now_ns();
	EXPECT_EQ(net_recv(net(), s, &byte, 1, 20 * MS, &got), LM_ERR_TIMEOUT);
	EXPECT(plat_now_ns() - start >= 20 * MS);

	/* A thread blocked with no timeout: this one goes on running (it is
	 * here), and closing the socket ends the other's call. */
	ASSERT_EQ(thread_current_handle(&b.notify), LM_OK);
	b.socket = s;
	ASSERT_EQ(spawn(recv_forever, &b), LM_OK);
	for (int i = 0; i < 100; i++)
		thread_yield();
	EXPECT_EQ(thread_take(2), 0); /* still blocked */
	EXPECT_EQ(net_close(net(), s), LM_OK);
	EXPECT_EQ(thread_wait(2), 2);
	EXPECT_EQ(b.status, LM_ERR_NOENT);
	EXPECT_EQ(net_close(net(), c), LM_OK);
	EXPECT_EQ(net_close(net(), l), LM_OK);
}

/* ---- the end of a stream after a short read ---- */

struct parting {
	net_socket socket;
	net_error status;
};

/* Send a few bytes and shut down sending at once: the data and the end
 * reach the reader together, in one report of epoll. */
static void send_and_part(uintptr_t arg)
{
	struct parting *p = (struct parting *)arg;
	uint64_t sent = 0;

	p->status = net_send(net(), p->socket, (const uint8_t *)"last words", 10, LIVENESS, &sent);
	if (!p->status)
		p->status = sent == 10 ? net_shutdown(net(), p->socket, 1) : LM_ERR_IO;
}

/* A reader blocked when the peer's last bytes and its end come: the read
 * that takes the bytes is short, and the end, reported with them once,
 * must still be seen by the next read (it was not: the short read made
 * the next call wait for a report that never came, until its timeout). */
TEST(net, the_end_after_a_short_read_is_seen_at_once)
{
	uint16_t port = 0;
	net_socket l = listen_any(&port), c, s;
	struct net_endpoint peer;
	struct parting p = {0};
	uint8_t buf[100];
	uint64_t got = 0, start;

	ASSERT(l != 0);
	ASSERT_EQ(net_connect(net(), LOOPBACK, port, LIVENESS, &c), LM_OK);
	ASSERT_EQ(net_accept(net(), l, LIVENESS, &s, &peer), LM_OK);
	p.socket = c;
	ASSERT_EQ(spawn(send_and_part, &p), LM_OK);
	EXPECT_EQ(net_recv(net(), s, buf, sizeof buf, LIVENESS, &got), LM_OK);
	if (got < 10) /* on several harts the bytes may come in two reads */
		EXPECT_EQ(recv_all(s, buf + got, 10 - got), 10 - got);
	start = plat_now_ns();
	EXPECT_EQ(net_recv(net(), s, buf, sizeof buf, 2 * SECONDS, &got), LM_OK);
	EXPECT_EQ(got, 0);
	EXPECT(plat_now_ns() - start < SECONDS); /* liveness: not the timeout */
	EXPECT_EQ(p.status, LM_OK);
	EXPECT_EQ(net_close(net(), s), LM_OK);
	EXPECT_EQ(net_close(net(), c), LM_OK);
	EXPECT_EQ(net_close(net(), l), LM_OK);
}

/* ---- many connections, a thread each ---- */

#define PAIRS 500

struct crowd {
	net_socket listener;
	uint16_t port;
	uint64_t notify;
	uint32_t served, answered, failed; /* atomic */
};

/* Each server thread: read a 4-byte number, send back its double. */
static void crowd_server(uintptr_t arg)
{
	struct crowd *cr = (struct crowd *)arg;
	struct net_endpoint peer;
	uint32_t v = 0;
	net_socket c;

	if (net_accept(net(), cr->listener, LIVENESS, &c, &peer) ||
	    recv_all(c, &v, sizeof v) != sizeof v || (v *= 2, send_all(c, &v, sizeof v)))
		__atomic_fetch_add(&cr->failed, 1, __ATOMIC_RELAXED);
	net_close(net(), c);
	if (__atomic_add_fetch(&cr->served, 1, __ATOMIC_ACQ_REL) == PAIRS)
		thread_signal_handle(cr->notify, 4);
}

static void crowd_client(uintptr_t arg)
{
	struct crowd *cr = (struct crowd *)arg;
	static uint32_t next;
	uint32_t v = __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED), back = 0;
	net_socket c;

	if (net_connect(net(), LOOPBACK, cr->port, LIVENESS, &c)) {
		__atomic_fetch_add(&cr->failed, 1, __ATOMIC_RELAXED);
	} else {
		/* Everyone connects before anyone is answered. */
		thread_yield();
		if (send_all(c, &v, sizeof v) || recv_all(c, &back, sizeof back) != sizeof back ||
		    back != 2 * v)
			__atomic_fetch_add(&cr->failed, 1, __ATOMIC_RELAXED);
		net_close(net(), c);
	}
	if (__atomic_add_fetch(&cr->answered, 1, __ATOMIC_ACQ_REL) == PAIRS)
		thread_signal_handle(cr->notify, 8);
}

TEST(net, hundreds_of_connections_each_with_its_thread)
{
	static struct crowd cr;
	uint32_t open_before = hosted_net_open_sockets();
	uint64_t got = 0;

	memset(&cr, 0, sizeof cr);
	ASSERT_EQ(net_listen(net(), LOOPBACK, 0, 4096, &cr.listener), LM_OK);
	{
		struct net_endpoint at;

		ASSERT_EQ(net_local(net(), cr.listener, &at), LM_OK);
		cr.port = at.port;
	}
	ASSERT_EQ(thread_current_handle(&cr.notify), LM_OK);
	for (int i = 0; i < PAIRS; i++) {
		ASSERT_EQ(spawn(crowd_server, &cr), LM_OK);
		ASSERT_EQ(spawn(crowd_client, &cr), LM_OK);
	}
	while ((got & 12) != 12)
		got |= thread_wait(12);
	EXPECT_EQ(cr.failed, 0);
	EXPECT_EQ(cr.served, PAIRS);
	EXPECT_EQ(cr.answered, PAIRS);
	EXPECT_EQ(net_close(net(), cr.listener), LM_OK);
	EXPECT_EQ(hosted_net_open_sockets(), open_before);
}

/* ---- UDP ---- */

TEST(net, udp_datagrams_come_with_their_sender)
{
	net_socket a, b;
	struct net_endpoint at_a, at_b, from;
	char buf[32];
	uint64_t got = 0;

	ASSERT_EQ(net_udp_bind(net(), LOOPBACK, 0, &a), LM_OK);
	ASSERT_EQ(net_udp_bind(net(), LOOPBACK, 0, &b), LM_OK);
	ASSERT_EQ(net_local(net(), a, &at_a), LM_OK);
	ASSERT_EQ(net_local(net(), b, &at_b), LM_OK);
	EXPECT_EQ(net_sendto(net(), a, LOOPBACK, at_b.port, (const uint8_t *)"ping", 4), LM_OK);
	EXPECT_EQ(net_recvfrom(net(), b, (uint8_t *)buf, sizeof buf, LIVENESS, &got, &from), LM_OK);
	EXPECT_EQ(got, 4);
	EXPECT(memcmp(buf, "ping", 4) == 0);
	EXPECT_EQ(from.ip, LOOPBACK);
	EXPECT_EQ(from.port, at_a.port);
	/* Nothing more: the timeout ends the wait. */
	EXPECT_EQ(net_recvfrom(net(), b, (uint8_t *)buf, sizeof buf, 5 * MS, &got, &from),
		  LM_ERR_TIMEOUT);
	/* A datagram socket is not a stream. */
	EXPECT_EQ(net_recv(net(), a, (uint8_t *)buf, 1, 0, &got), LM_ERR_INVAL);
	EXPECT_EQ(net_close(net(), a), LM_OK);
	EXPECT_EQ(net_close(net(), b), LM_OK);
}

/* ---- sends from file-backed memory go by sendfile ---- */

#define FILE_BYTES (64 * 1024 + 123)

static uint8_t file_back[FILE_BYTES];

static void file_reader(uintptr_t arg)
{
	struct echo *e = (struct echo *)arg;
	struct net_endpoint peer;
	net_socket c;

	e->status = net_accept(net(), e->listener, LIVENESS, &c, &peer);
	if (!e->status) {
		if (recv_all(c, file_back, 6) != 6 || recv_all(c, file_back, FILE_BYTES) != FILE_BYTES)
			e->status = LM_ERR_IO;
		net_close(net(), c);
	}
	thread_signal_handle(e->notify, 1);
}

/* Whether fd is a memfd (its /proc link says "/memfd:NAME (deleted)"). */
static bool is_memfd(int fd)
{
	char path[64], link[256];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	return !strncmp(link, "/memfd:", 7);
}

/* The archive's file: on a disk where the folder is one, else a memfd
 * (a folder that is not there, or a tmpfs). */
TEST(net, the_archive_file_is_on_a_disk_or_else_a_memfd)
{
	struct statfs fs;
	bool on_disk;
	int fd, probe;

	fd = hosted_net_archive_fd("/nonexistent-lemmings-folder");
	ASSERT(fd >= 0);
	EXPECT(is_memfd(fd));
	close(fd);
	if (!statfs("/dev/shm", &fs) && fs.f_type == TMPFS_MAGIC) {
		fd = hosted_net_archive_fd("/dev/shm");
		ASSERT(fd >= 0);
		EXPECT(is_memfd(fd));
		close(fd);
	}
	/* /var/tmp: on a disk if this machine makes an O_TMPFILE there. */
	probe = open("/var/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	on_disk = probe >= 0 && !statfs("/var/tmp", &fs) && fs.f_type != TMPFS_MAGIC;
	if (probe >= 0)
		close(probe);
	if (!on_disk)
		test_diag("/var/tmp makes no O_TMPFILE on a disk here: only the memfd is tested");
	fd = hosted_net_archive_fd("/var/tmp");
	ASSERT(fd >= 0);
	EXPECT_EQ(is_memfd(fd), !on_disk);
	close(fd);
}

/* The archive goes into the file it is given when that takes it whole;
 * into a memfd when it does not (as a full disk's would not: here, a
 * descriptor open only for reading), the refused one closed. */
TEST(net, an_archive_the_file_refuses_goes_into_a_memfd)
{
	uint8_t image[3 * 4096 + 5], back[sizeof image];
	int ro, disk, fd;

	for (size_t i = 0; i < sizeof image; i++)
		image[i] = (uint8_t)(i * 13 + 1);
	ro = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT(ro >= 0);
	fd = hosted_net_archive_fill(ro, image, sizeof image);
	ASSERT(fd >= 0);
	EXPECT(is_memfd(fd));
	EXPECT(fd == ro || fcntl(ro, F_GETFD) == -1); /* closed (its number may be reused) */
	EXPECT_EQ(pread(fd, back, sizeof back, 0), (ssize_t)sizeof back);
	EXPECT(memcmp(back, image, sizeof image) == 0);
	close(fd);

	fd = hosted_net_archive_fill(-1, image, sizeof image); /* no file at all */
	ASSERT(fd >= 0);
	EXPECT(is_memfd(fd));
	close(fd);

	disk = hosted_net_archive_fd("/var/tmp");
	ASSERT(disk >= 0);
	fd = hosted_net_archive_fill(disk, image, sizeof image);
	EXPECT_EQ(fd, disk);
	EXPECT_EQ(pread(fd, back, sizeof back, 0), (ssize_t)sizeof back);
	EXPECT(memcmp(back, image, sizeof image) == 0);
	close(fd);
}

TEST(net, a_file_backed_body_arrives_whole)
{
	uint8_t *image = malloc(FILE_BYTES), *backed;
	struct echo e = {0};
	uint16_t port = 0;
	net_socket c;
	uint64_t sent = 0, total = 0;

	ASSERT(image != NULL);
	for (uint32_t i = 0; i < FILE_BYTES; i++)
		image[i] = (uint8_t)(i * 7 + (i >> 9));
	backed = hosted_net_file_backed(image, FILE_BYTES);
	if (backed == image)
		test_diag("memory not file-backed here: the copying path is tested instead");
	ASSERT_EQ(thread_current_handle(&e.notify), LM_OK);
	e.listener = listen_any(&port);
	ASSERT(e.listener != 0);
	ASSERT_EQ(spawn(file_reader, &e), LM_OK);
	ASSERT_EQ(net_connect(net(), LOOPBACK, port, LIVENESS, &c), LM_OK);
	/* A head and the body, then whatever of the body did not fit. */
	ASSERT_EQ(net_send_two(net(), c, (const uint8_t *)"head:\n", 6, backed, FILE_BYTES,
			       LIVENESS, &sent),
		  LM_OK);
	ASSERT(sent >= 6);
	for (total = sent - 6; total < FILE_BYTES; total += sent)
		ASSERT_EQ(net_send(net(), c, backed + total, FILE_BYTES - total, LIVENESS, &sent),
			  LM_OK);
	EXPECT_EQ(thread_wait(1), 1);
	EXPECT_EQ(e.status, LM_OK);
	EXPECT(memcmp(file_back, backed, FILE_BYTES) == 0);
	EXPECT_EQ(net_close(net(), c), LM_OK);
	EXPECT_EQ(net_close(net(), e.listener), LM_OK);
}

/* ---- a busy hart still serves its sockets ---- */

struct busy {
	net_socket socket;
	uint64_t deadline;
	struct thread *main;
	bool done, gave_up; /* atomic */
};

/* Yield to its twin until the reader is done (or the liveness bound). */
static void spinner(void *arg)
{
	struct busy *b = arg;

	while (!__atomic_load_n(&b->done, __ATOMIC_ACQUIRE)) {
		if (plat_now_ns() > b->deadline) {
			__atomic_store_n(&b->gave_up, true, __ATOMIC_RELEASE);
			break;
		}
		thread_yield();
	}
}

static void busy_reader(void *arg)
{
	struct busy *b = arg;
	uint64_t got = 0;
	uint8_t byte;

	net_recv(net(), b->socket, &byte, 1, LIVENESS, &got);
	__atomic_store_n(&b->done, true, __ATOMIC_RELEASE);
	thread_signal(b->main, 16);
}

/*
 * On this hart: a thread blocked in recv, and two threads that never block
 * but yield to each other, so the hart never goes idle. The byte sent to
 * the reader must still wake it: the hart looks at its sockets every
 * PLAT_POLL_EVERY switches (core/platform.h), not only when idle.
 */
TEST(net, a_busy_hart_still_wakes_its_readers)
{
	static struct busy b;
	uint16_t port = 0;
	net_socket l = listen_any(&port), c, s;
	struct net_endpoint peer;
	int hart = (int)this_hart()->id;
	struct thread_opts reader = {.entry = busy_reader, .arg = &b, .priority = PRIO_REGULAR,
				     .hart = hart, .name = "reader"};
	struct thread_opts spin = {.entry = spinner, .arg = &b, .priority = PRIO_REGULAR,
				   .hart = hart, .name = "spinner"};
	uint64_t sent = 0;

	ASSERT(l != 0);
	ASSERT_EQ(net_connect(net(), LOOPBACK, port, LIVENESS, &c), LM_OK);
	ASSERT_EQ(net_accept(net(), l, LIVENESS, &s, &peer), LM_OK);
	b = (struct busy){.socket = s, .deadline = plat_now_ns() + LIVENESS,
			  .main = thread_current()};
	ASSERT_EQ(thread_spawn(&reader, NULL), LM_OK);
	thread_yield(); /* the reader blocks, its socket now on this hart's epoll */
	ASSERT_EQ(thread_spawn(&spin, NULL), LM_OK);
	ASSERT_EQ(thread_spawn(&spin, NULL), LM_OK);
	ASSERT_EQ(net_send(net(), c, (const uint8_t *)"x", 1, LIVENESS, &sent), LM_OK);
	EXPECT_EQ(thread_wait(16), 16);
	EXPECT(!__atomic_load_n(&b.gave_up, __ATOMIC_ACQUIRE));
	EXPECT_EQ(net_close(net(), s), LM_OK);
	EXPECT_EQ(net_close(net(), c), LM_OK);
	EXPECT_EQ(net_close(net(), l), LM_OK);
}
