/*
 * The Net door in the hosted runtime (sdk/idl/net.idl, hosted/net.h):
 * Linux's sockets, non-blocking, under Lemmings threads that block.
 *
 * A call first tries the operation. When Linux says it would block
 * (EAGAIN), the thread joins the socket's list of waiters for that
 * direction, tries once more (so that readiness that came in between is not
 * missed), and then waits for its service event bit. The socket is
 * registered, edge-triggered, with the epoll instance of the hart where a
 * thread first had to wait on it; that hart's idle loop (hosted_net_wait)
 * takes the list of each socket epoll reports ready and signals every
 * thread on it, through its thread handle, which may wake it on another
 * hart by the ordinary cross-hart path. Nothing here keeps a Linux thread
 * per socket or per waiter.
 *
 * Sockets are slots of one table, named by handles: bits 0-31 the slot,
 * bits 32-63 its generation, odd while the slot is open (as thread handles,
 * core/handle.h). Every call holds a reference on its slot from the handle
 * check to its end, so the descriptor is closed, and the slot reused, only
 * when the last call on it has returned: a blocked call and a close never
 * race over a descriptor number Linux has handed out again. A close wakes
 * the waiters, which return not_found.
 *
 * Stacks: door routines run on the calling thread's page, so they make
 * Linux system calls with the syscall instruction itself (sys6 below: no
 * libc frame, no errno), never through libc. The idle loop's wait runs on
 * the hart's own pthread stack.
 *
 * Locking: a slot's lock guards its waiter lists and its closing flag; the
 * free list has its own. Neither is held across a system call or a wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <lemmings/net.h>

#include "arch/spinlock.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "hosted/hosted.h"
#include "hosted/net.h"
#include "services/service.h"

#define SOCKETS_MAX (1u << 17)
#define EVENTS_MAX 256
#define WAKE_BATCH 32
#define KICK_TAG 0 /* epoll data of a hart's kick descriptor; no handle is 0 */
#define SENDFILE_MIN (16 * 1024) /* file-backed runs at least this long go by sendfile */

enum sock_kind { KIND_LISTENER = 1, KIND_STREAM, KIND_DGRAM };
enum { DIR_READ, DIR_WRITE };

/* A thread waiting on a socket: on its own stack, linked while it waits. */
struct waiter {
	struct waiter *next, *prev;
	uint64_t thread;  /* its Threads-door handle */
	uint32_t seen;    /* the socket's ready count before the last try */
	bool linked;      /* on the socket's list (written under the lock) */
};

struct sock {
	struct spinlock lock;
	uint32_t gen;             /* odd while open; even while free */
	uint32_t refs;            /* the open socket's own, plus one per call */
	int32_t fd;
	uint8_t kind;             /* enum sock_kind */
	bool closing;             /* closed: calls in flight end with not_found */
	int32_t hart;             /* whose epoll it is registered with; -1: none */
	uint32_t ready;           /* readiness reports so far (under the lock) */
	uint32_t drained;         /* ready + 1 when a short read left it empty; else 0 */
	bool ended;               /* epoll said the peer shut down (or an error) */
	struct waiter *waiters[2]; /* DIR_READ, DIR_WRITE */
	uint32_t next_free;
};

struct net_hart {
	int epfd, kickfd;
	uint32_t registered; /* sockets on epfd (atomic) */
};

static struct sock socks[SOCKETS_MAX];
static uint32_t high_water;  /* slots ever used (under free_lock) */
static uint32_t free_head = UINT32_MAX;
static uint32_t open_count;  /* atomic */
static struct spinlock free_lock = SPINLOCK_INIT;
static struct net_hart nh[HART_MAX];

/* Memory backed by a file (the boot archive, hosted_net_file_backed): set
 * once before any thread runs, then only read. */
static const uint8_t *file_base;
static uint64_t file_size;
static int file_fd = -1;

/* ---- Linux, without libc ---- */

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* A Linux error (positive errno) as the door's. */
static net_error error_of(long err)
{
	switch (err) {
	case ENOMEM:
	case ENOBUFS:
		return LM_ERR_NOMEM;
	case EINVAL:
	case ENOTCONN:
	case EISCONN:
	case EOPNOTSUPP:
	case EDESTADDRREQ:
	case EMSGSIZE:
		return LM_ERR_INVAL;
	case EMFILE:
	case ENFILE:
		return LM_ERR_FULL;
	case ETIMEDOUT:
		return LM_ERR_TIMEOUT;
	case EFAULT:
		return LM_ERR_FAULT;
	case ECONNREFUSED:
		return LM_ERR_REFUSED;
	case ECONNRESET:
	case ECONNABORTED:
		return LM_ERR_RESET;
	case EADDRINUSE:
		return LM_ERR_ADDRINUSE;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case ENETDOWN:
		return LM_ERR_NOROUTE;
	case EPIPE:
		return LM_ERR_CLOSED;
	case EACCES:
	case EPERM:
		return LM_ERR_UNSUPPORTED;
	default:
		return LM_ERR_IO;
	}
}

static struct sockaddr_in sockaddr_of(uint32_t ip, uint16_t port)
{
	return (struct sockaddr_in){
		.sin_family = AF_INET,
		.sin_port = __builtin_bswap16(port),
		.sin_addr.s_addr = __builtin_bswap32(ip),
	};
}

static struct net_endpoint endpoint_of(const struct sockaddr_in *a)
{
	return (struct net_endpoint){.ip = __builtin_bswap32(a->sin_addr.s_addr),
				     .port = __builtin_bswap16(a->sin_port)};
}

static uint64_t deadline_of(uint64_t timeout)
{
	uint64_t now = plat_now_ns();

	if (!timeout)
		return 0;
	return timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;
}

/* ---- the socket table ---- */

static uint64_t handle_of(const struct sock *s)
{
	return (uint64_t)s->gen << 32 | (uint64_t)(s - socks);
}

/* A slot for fd (which it then owns), open, with one reference: the
 * socket's own. NULL when the table is full (fd is closed then). */
static struct sock *sock_open(int fd, enum sock_kind kind)
{
	struct sock *s = NULL;

	spin_lock(&free_lock);
	if (free_head != UINT32_MAX) {
		s = &socks[free_head];
		free_head = s->next_free;
	} else if (high_water < SOCKETS_MAX) {
		s = &socks[high_water++];
	}
	spin_unlock(&free_lock);
	if (!s) {
		sys(SYS_close, fd, 0, 0);
		return NULL;
	}
	s->fd = fd;
	s->kind = (uint8_t)kind;
	s->closing = false;
	s->hart = -1;
	s->drained = 0;
	s->ended = false;
	s->waiters[DIR_READ] = s->waiters[DIR_WRITE] = NULL;
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&s->refs, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&open_count, 1, __ATOMIC_RELAXED);
	return s;
}

/* Drop a reference; the last one closes the descriptor (which takes it
 * out of its epoll instance) and frees the slot. */
static void sock_put(struct sock *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	sys(SYS_close, s->fd, 0, 0);
	if (s->hart >= 0)
		__atomic_fetch_sub(&nh[s->hart].registered, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->gen, s->gen + 1, __ATOMIC_RELEASE);
	__atomic_fetch_sub(&open_count, 1, __ATOMIC_RELAXED);
	spin_lock(&free_lock);
	s->next_free = free_head;
	free_head = (uint32_t)(s - socks);
	spin_unlock(&free_lock);
}

/* The open socket a handle names, with a reference for the caller. A
 * handle that never was one is invalid; one of a closed socket, not found. */
static net_error sock_get(uint64_t handle, struct sock **out)
{
	uint32_t index = (uint32_t)handle, gen = (uint32_t)(handle >> 32), refs, now;
	struct sock *s;

	if (!(gen & 1) || index >= __atomic_load_n(&high_water, __ATOMIC_ACQUIRE))
		return LM_ERR_INVAL;
	s = &socks[index];
	now = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
	if ((int32_t)(gen - now) > 0)
		return LM_ERR_INVAL; /* a generation this slot has not had yet */
	refs = __atomic_load_n(&s->refs, __ATOMIC_ACQUIRE);
	do {
		if (!refs)
			return LM_ERR_NOENT;
	} while (!__atomic_compare_exchange_n(&s->refs, &refs, refs + 1, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	/* Held now; but the slot may have been closed and opened again. */
	if (__atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) != gen ||
	    __atomic_load_n(&s->closing, __ATOMIC_ACQUIRE)) {
		sock_put(s);
		return LM_ERR_NOENT;
	}
	*out = s;
	return LM_OK;
}

/* As sock_get, for a socket of one kind. */
static net_error sock_get_kind(uint64_t handle, enum sock_kind kind, struct sock **out)
{
	net_error err = sock_get(handle, out);

	if (!err && (*out)->kind != kind) {
		sock_put(*out);
		return LM_ERR_INVAL;
	}
	return err;
}

/* ---- waiting ---- */

/* Register s with this hart's epoll instance, the first time a thread
 * waits on it. */
static net_error sock_register(struct sock *s)
{
	uint32_t hart = this_hart()->id;
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		.data.u64 = handle_of(s),
	};
	long r;

	if (__atomic_load_n(&s->hart, __ATOMIC_ACQUIRE) >= 0)
		return LM_OK;
	spin_lock(&s->lock);
	if (s->hart < 0) {
		r = sys6(SYS_epoll_ctl, nh[hart].epfd, EPOLL_CTL_ADD, s->fd, (long)&ev, 0, 0);
		if (r < 0 && r != -EEXIST) {
			spin_unlock(&s->lock);
			return error_of(-r);
		}
		__atomic_fetch_add(&nh[hart].registered, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&s->hart, (int32_t)hart, __ATOMIC_RELEASE);
	}
	spin_unlock(&s->lock);
	return LM_OK;
}

static void waiter_unlink(struct sock *s, int dir, struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		s->waiters[dir] = w->next;
	if (w->next)
		w->next->prev = w->prev;
	__atomic_store_n(&w->linked, false, __ATOMIC_RELEASE);
}

/* Before a call's first try: what the socket has reported so far. */
static void waiter_init(struct waiter *w, struct sock *s)
{
	*w = (struct waiter){.seen = __atomic_load_n(&s->ready, __ATOMIC_ACQUIRE)};
}

/*
 * Called after the operation said it would block. Join s's waiters for dir
 * if not among them; if the socket reported readiness since the try
 * (w->seen), return ok at once for the caller to try again, as that report
 * woke no one. Otherwise sleep until a wake-up, the deadline (timed_out)
 * or a close (not_found); ok means: try again.
 */
static net_error await(struct sock *s, int dir, struct waiter *w, uint64_t deadline)
{
	net_error err;
	uint64_t got;

	if (!__atomic_load_n(&w->linked, __ATOMIC_ACQUIRE)) {
		if (!w->thread) {
			err = thread_current_handle(&w->thread);
			if (err)
				return err;
		}
		err = sock_register(s);
		if (err)
			return err;
		spin_lock(&s->lock);
		if (s->closing) {
			spin_unlock(&s->lock);
			return LM_ERR_NOENT;
		}
		w->prev = NULL;
		w->next = s->waiters[dir];
		if (w->next)
			w->next->prev = w;
		s->waiters[dir] = w;
		w->linked = true;
		if (s->ready != w->seen) {
			w->seen = s->ready;
			spin_unlock(&s->lock);
			return LM_OK;
		}
		spin_unlock(&s->lock);
	}
	got = deadline ? timer_wait_until(THREAD_EV_SERVICE, deadline)
		       : thread_wait(THREAD_EV_SERVICE);
	if (__atomic_load_n(&s->closing, __ATOMIC_ACQUIRE))
		return LM_ERR_NOENT;
	if (!got && deadline && plat_now_ns() >= deadline)
		return LM_ERR_TIMEOUT;
	w->seen = __atomic_load_n(&s->ready, __ATOMIC_ACQUIRE);
	return LM_OK;
}

/* The call is over: leave the waiters if still there. */
static void leave(struct sock *s, int dir, struct waiter *w)
{
	if (!__atomic_load_n(&w->linked, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&s->lock);
	if (w->linked)
		waiter_unlink(s, dir, w);
	spin_unlock(&s->lock);
}

/* Take every waiter of the directions in dirs (bit per DIR_*) off s's
 * lists and signal them, WAKE_BATCH at a time (signals are sent with no
 * lock held; a waiter's node is not touched once it is unlinked). */
static void wake(struct sock *s, unsigned dirs)
{
	uint64_t threads[WAKE_BATCH];
	unsigned n;

	do {
		n = 0;
		spin_lock(&s->lock);
		__atomic_store_n(&s->ready, s->ready + 1, __ATOMIC_RELEASE);
		for (int dir = DIR_READ; dir <= DIR_WRITE; dir++) {
			while ((dirs & (1u << dir)) && s->waiters[dir] && n < WAKE_BATCH) {
				struct waiter *w = s->waiters[dir];

				threads[n++] = w->thread;
				waiter_unlink(s, dir, w);
			}
		}
		spin_unlock(&s->lock);
		for (unsigned i = 0; i < n; i++)
			thread_signal_handle(threads[i], THREAD_EV_SERVICE);
	} while (n == WAKE_BATCH);
}

/* ---- the door's routines ---- */

static net_error tcp_socket(int *fd)
{
	long r = sys(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (r < 0)
		return error_of(-r);
	*fd = (int)r;
	return LM_OK;
}

static void set_option(int fd, int level, int name)
{
	int one = 1;

	sys6(SYS_setsockopt, fd, level, name, (long)&one, sizeof one, 0);
}

static net_error publish(int fd, enum sock_kind kind, net_socket *out)
{
	struct sock *s = sock_open(fd, kind);

	if (!s)
		return LM_ERR_FULL;
	*out = handle_of(s);
	return LM_OK;
}

static net_error do_listen(net_ipv4 ip, net_port port, uint32_t backlog, net_socket *out)
{
	struct sockaddr_in a = sockaddr_of(ip, port);
	net_error err;
	long r;
	int fd = -1;

	if (backlog < 1 || backlog > 65535)
		return LM_ERR_INVAL;
	err = tcp_socket(&fd);
	if (err)
		return err;
	set_option(fd, SOL_SOCKET, SO_REUSEADDR);
	r = sys(SYS_bind, fd, &a, sizeof a);
	if (!r)
		r = sys(SYS_listen, fd, backlog, 0);
	if (r < 0) {
		sys(SYS_close, fd, 0, 0);
		return error_of(-r);
	}
	return publish(fd, KIND_LISTENER, out);
}

/* One try of a call: its non-negative result, or a negative errno. */
typedef long attempt_fn(struct sock *s, void *ctx);

/*
 * A call that may block: try; when Linux says it would (EAGAIN), wait on s
 * for dir (await) and try again, until a try gives a result (*result, and
 * ok), fails (its error), or the deadline or a close ends the wait.
 *
 * empty_at, if not 0, is the socket's ready count + 1 when an earlier call
 * left it empty (a short read): if no report has come since, the first try
 * is skipped, as it would only say EAGAIN. The count is compared with the
 * one the wait starts from (waiter_init), so a report that comes in
 * between is not missed. *tried, if asked for, is the ready count read
 * before the try that gave the result: a report after it is a later one.
 */
static net_error blocking(struct sock *s, int dir, uint64_t deadline, attempt_fn *attempt,
			  void *ctx, long *result, uint32_t empty_at, uint32_t *tried)
{
	struct waiter w;
	net_error err;
	long r;

	waiter_init(&w, s);
	r = empty_at && empty_at == w.seen + 1 ? -EAGAIN : attempt(s, ctx);
	for (;;) {
		if (r >= 0) {
			*result = r;
			err = LM_OK;
			break;
		}
		if (r != -EAGAIN && r != -EINTR) {
			err = error_of(-r);
			break;
		}
		if (r == -EAGAIN && (err = await(s, dir, &w, deadline)))
			break;
		r = attempt(s, ctx);
	}
	leave(s, dir, &w);
	if (tried)
		*tried = w.seen;
	return err;
}

/* A buffer, and the address of a datagram's peer, for the tries below. */
struct transfer {
	void *buffer;
	uint64_t length;
	struct sockaddr_in peer;
	socklen_t peer_len;
};

static long try_accept(struct sock *s, void *ctx)
{
	struct transfer *t = ctx;
	long r;

	t->peer_len = sizeof t->peer;
	r = sys6(SYS_accept4, s->fd, (long)&t->peer, (long)&t->peer_len,
		 SOCK_NONBLOCK | SOCK_CLOEXEC, 0, 0);
	return r == -ECONNABORTED ? -EINTR : r; /* that one is gone: the next */
}

static net_error do_accept(net_socket listener, net_timeout timeout, net_socket *out,
			   struct net_endpoint *peer)
{
	struct transfer t;
	struct sock *s;
	net_error err = sock_get_kind(listener, KIND_LISTENER, &s);
	long fd;

	if (err)
		return err;
	err = blocking(s, DIR_READ, deadline_of(timeout), try_accept, &t, &fd, 0, NULL);
	sock_put(s);
	if (err)
		return err;
	set_option((int)fd, IPPROTO_TCP, TCP_NODELAY);
	err = publish((int)fd, KIND_STREAM, out);
	if (!err)
		*peer = endpoint_of(&t.peer);
	return err;
}

/* Connected (0) when the peer's address can be had; the connection's error
 * if it failed; still on the way (EAGAIN) otherwise. */
static long try_connected(struct sock *s, void *ctx)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(int);
	int so_error;
	long r;

	(void)ctx;
	r = sys6(SYS_getsockopt, s->fd, SOL_SOCKET, SO_ERROR, (long)&so_error, (long)&len, 0);
	if (r == 0 && so_error)
		return -so_error;
	len = sizeof a;
	r = sys(SYS_getpeername, s->fd, &a, &len);
	return r == -ENOTCONN ? -EAGAIN : r;
}

static net_error do_connect(net_ipv4 ip, net_port port, net_timeout timeout, net_socket *out)
{
	struct sockaddr_in a = sockaddr_of(ip, port);
	struct sock *s;
	net_error err;
	long r;
	int fd = -1;

	err = tcp_socket(&fd);
	if (err)
		return err;
	set_option(fd, IPPROTO_TCP, TCP_NODELAY);
	r = sys(SYS_connect, fd, &a, sizeof a);
	if (r < 0 && r != -EINPROGRESS) {
		sys(SYS_close, fd, 0, 0);
		return error_of(-r);
	}
	s = sock_open(fd, KIND_STREAM);
	if (!s)
		return LM_ERR_FULL;
	/* The socket is ours alone until it is returned: wait for it to be
	 * writable, which is when the connection is made or has failed. */
	if (r < 0)
		err = blocking(s, DIR_WRITE, deadline_of(timeout), try_connected, NULL, &r, 0, NULL);
	if (err) {
		sock_put(s);
		return err;
	}
	*out = handle_of(s);
	return LM_OK;
}

static long try_recv(struct sock *s, void *ctx)
{
	struct transfer *t = ctx;

	return sys6(SYS_recvfrom, s->fd, (long)t->buffer, (long)t->length, MSG_DONTWAIT, 0, 0);
}

static net_error do_recv(net_socket socket, uint8_t *buffer, uint64_t length,
			 net_timeout timeout, uint64_t *got)
{
	struct transfer t = {.buffer = buffer, .length = length};
	struct sock *s;
	net_error err = sock_get_kind(socket, KIND_STREAM, &s);
	uint32_t tried;
	long n;

	if (err)
		return err;
	/* A short read leaves the stream empty: until the socket reports
	 * again, the next call waits without asking Linux first (a request
	 * and its answer, then this: one system call fewer each time). Not
	 * once the peer has shut down: a short read then ends at the end of
	 * the stream, which epoll reported once, maybe before that read, and
	 * will not report again; the next read must ask, and gets 0. */
	err = blocking(s, DIR_READ, deadline_of(timeout), try_recv, &t, &n,
		       __atomic_load_n(&s->ended, __ATOMIC_ACQUIRE) ? 0 :
		       __atomic_load_n(&s->drained, __ATOMIC_RELAXED), &tried);
	if (!err) {
		__atomic_store_n(&s->drained, n > 0 && (uint64_t)n < length ? tried + 1 : 0,
				 __ATOMIC_RELAXED);
		*got = (uint64_t)n;
	}
	sock_put(s);
	return err;
}

/* Is [p, p + len) inside the file-backed memory (hosted_net_file_backed)? */
static bool in_file(const void *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p;

	return file_size && a >= (uintptr_t)file_base && len <= file_size &&
	       a - (uintptr_t)file_base <= file_size - len;
}

struct iovecs {
	struct iovec *iov;
	int count;
};

/*
 * One try at sending the iovecs (one or two): sendmsg, or, when the last
 * one is a large run of file-backed memory, its head (if any) and then
 * sendfile from the file, so that Linux sends the file's pages without
 * copying them. Bytes sent, or a negative errno when none went.
 *
 * The head goes at once, in a packet of its own, as nginx sends it; not
 * held back with MSG_MORE to go out with the file's first bytes. Held
 * back, a 64 KiB response's first read takes all of it, which makes the
 * client's Linux grow its receive window; then every response goes to
 * the client in one push, made on the server's CPU, and at 10,000
 * connections the server was slower and its p99 latency 15-35% worse
 * than nginx's (docs/performance.md, "The head in a packet of its own").
 */
static long try_send(struct sock *s, void *ctx)
{
	struct iovecs *v = ctx;
	struct iovec *iov = v->iov, *body = &iov[v->count - 1];
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)v->count};
	long head = 0, r;
	loff_t offset;

	if (body->iov_len < SENDFILE_MIN || !in_file(body->iov_base, body->iov_len))
		return sys(SYS_sendmsg, s->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (v->count == 2 && iov[0].iov_len) {
		m.msg_iovlen = 1;
		head = sys(SYS_sendmsg, s->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (head < 0 || (size_t)head < iov[0].iov_len)
			return head;
	}
	offset = (loff_t)((uintptr_t)body->iov_base - (uintptr_t)file_base);
	r = sys6(SYS_sendfile, s->fd, file_fd, (long)&offset, (long)body->iov_len, 0, 0);
	if (r < 0)
		return head ? head : r;
	return head + r;
}

/* Send the iovecs (one or two), waiting until some of it goes. */
static net_error send_iov(net_socket socket, struct iovec *iov, int count, net_timeout timeout,
			  uint64_t *sent)
{
	struct iovecs v = {iov, count};
	struct sock *s;
	net_error err = sock_get_kind(socket, KIND_STREAM, &s);
	long n;

	if (err)
		return err;
	err = blocking(s, DIR_WRITE, deadline_of(timeout), try_send, &v, &n, 0, NULL);
	sock_put(s);
	if (!err)
		*sent = (uint64_t)n;
	return err;
}

static net_error do_send(net_socket socket, const uint8_t *buffer, uint64_t length,
			 net_timeout timeout, uint64_t *sent)
{
	struct iovec iov = {(void *)buffer, length};

	return send_iov(socket, &iov, 1, timeout, sent);
}

static net_error do_send_two(net_socket socket, const uint8_t *head, uint64_t head_length,
			     const uint8_t *body, uint64_t body_length, net_timeout timeout,
			     uint64_t *sent)
{
	struct iovec iov[2] = {{(void *)head, head_length}, {(void *)body, body_length}};

	return send_iov(socket, iov, body_length ? 2 : 1, timeout, sent);
}

static net_error do_shutdown(net_socket socket, uint8_t how)
{
	struct sock *s;
	net_error err;
	long r;

	if (how > 2)
		return LM_ERR_INVAL;
	err = sock_get_kind(socket, KIND_STREAM, &s);
	if (err)
		return err;
	r = sys(SYS_shutdown, s->fd, how, 0); /* SHUT_RD, SHUT_WR, SHUT_RDWR are 0, 1, 2 */
	sock_put(s);
	return r < 0 ? error_of(-r) : LM_OK;
}

static net_error do_close(net_socket socket)
{
	struct sock *s;
	net_error err = sock_get(socket, &s);
	bool first;

	if (err)
		return err;
	spin_lock(&s->lock);
	first = !s->closing;
	__atomic_store_n(&s->closing, true, __ATOMIC_RELEASE);
	spin_unlock(&s->lock);
	if (!first) {
		sock_put(s);
		return LM_ERR_NOENT; /* another close got there first */
	}
	wake(s, 1u << DIR_READ | 1u << DIR_WRITE);
	sock_put(s); /* this call's */
	sock_put(s); /* the socket's own: the last call to end closes it */
	return LM_OK;
}

static net_error do_local(net_socket socket, struct net_endpoint *out)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	struct sock *s;
	net_error err = sock_get(socket, &s);
	long r;

	if (err)
		return err;
	r = sys(SYS_getsockname, s->fd, &a, &len);
	sock_put(s);
	if (r < 0)
		return error_of(-r);
	*out = endpoint_of(&a);
	return LM_OK;
}

static net_error do_udp_bind(net_ipv4 ip, net_port port, net_socket *out)
{
	struct sockaddr_in a = sockaddr_of(ip, port);
	long r = sys(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int fd = -1;

	if (r < 0)
		return error_of(-r);
	fd = (int)r;
	r = sys(SYS_bind, fd, &a, sizeof a);
	if (r < 0) {
		sys(SYS_close, fd, 0, 0);
		return error_of(-r);
	}
	return publish(fd, KIND_DGRAM, out);
}

static long try_sendto(struct sock *s, void *ctx)
{
	struct transfer *t = ctx;

	return sys6(SYS_sendto, s->fd, (long)t->buffer, (long)t->length,
		    MSG_NOSIGNAL | MSG_DONTWAIT, (long)&t->peer, sizeof t->peer);
}

static net_error do_sendto(net_socket socket, net_ipv4 ip, net_port port, const uint8_t *buffer,
			   uint64_t length)
{
	struct transfer t = {.buffer = (void *)buffer, .length = length,
			     .peer = sockaddr_of(ip, port)};
	struct sock *s;
	net_error err = sock_get_kind(socket, KIND_DGRAM, &s);
	long n;

	if (err)
		return err;
	err = blocking(s, DIR_WRITE, 0, try_sendto, &t, &n, 0, NULL);
	sock_put(s);
	return err;
}

static long try_recvfrom(struct sock *s, void *ctx)
{
	struct transfer *t = ctx;

	t->peer_len = sizeof t->peer;
	return sys6(SYS_recvfrom, s->fd, (long)t->buffer, (long)t->length, MSG_DONTWAIT,
		    (long)&t->peer, (long)&t->peer_len);
}

static net_error do_recvfrom(net_socket socket, uint8_t *buffer, uint64_t length,
			     net_timeout timeout, uint64_t *got, struct net_endpoint *from)
{
	struct transfer t = {.buffer = buffer, .length = length};
	struct sock *s;
	net_error err = sock_get_kind(socket, KIND_DGRAM, &s);
	long n;

	if (err)
		return err;
	err = blocking(s, DIR_READ, deadline_of(timeout), try_recvfrom, &t, &n, 0, NULL);
	sock_put(s);
	if (!err) {
		*got = (uint64_t)n;
		*from = endpoint_of(&t.peer);
	}
	return err;
}

static const struct net_door door = {
	.header = NET_DOOR_HEADER,
	.listen = do_listen,
	.accept = do_accept,
	.connect = do_connect,
	.recv = do_recv,
	.send = do_send,
	.send_two = do_send_two,
	.shutdown = do_shutdown,
	.close = do_close,
	.local = do_local,
	.udp_bind = do_udp_bind,
	.sendto = do_sendto,
	.recvfrom = do_recvfrom,
};

void hosted_net_publish(void)
{
	service_register(&door, "net");
}

/* ---- the harts' side ---- */

/* The archive's file goes on a disk's file system where it can: sendfile
 * takes a disk file's pages from its cache in batches, a memfd's (a
 * tmpfs's) one at a time; at 10,000 connections and 64 KiB, that lookup
 * was 6% of the server's time. */
static int archive_memfd(void)
{
	return memfd_create("lemmings-archive", MFD_CLOEXEC);
}

int hosted_net_archive_fd(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	struct statfs fs;

	if (fd >= 0 && (fstatfs(fd, &fs) || fs.f_type == TMPFS_MAGIC)) {
		close(fd);
		fd = -1;
	}
	return fd >= 0 ? fd : archive_memfd();
}

/* Write all of image into fd; false if Linux would not (a full disk). */
static bool write_all(int fd, const void *image, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = write(fd, (const char *)image + done, size - done);

		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

int hosted_net_archive_fill(int fd, const void *image, size_t size)
{
	if (fd >= 0 && write_all(fd, image, size))
		return fd;
	if (fd >= 0)
		close(fd);
	fd = archive_memfd();
	if (fd >= 0 && write_all(fd, image, size))
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

void *hosted_net_file_backed(void *image, size_t size)
{
	void *map;
	int fd;

	if (file_fd >= 0 || !size)
		return image;
	fd = hosted_net_archive_fill(hosted_net_archive_fd("/var/tmp"), image, size);
	if (fd < 0)
		return image; /* sends copy from it, as from any memory */
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return image;
	}
	free(image);
	file_base = map;
	file_size = size;
	file_fd = fd;
	return map;
}

void hosted_net_init_hart(uint32_t hart)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = KICK_TAG};

	/* A send to a connection the peer has closed returns EPIPE (closed);
	 * sendfile has no MSG_NOSIGNAL, so the signal itself is ignored. */
	if (hart == 0)
		signal(SIGPIPE, SIG_IGN);

	nh[hart].epfd = epoll_create1(EPOLL_CLOEXEC);
	nh[hart].kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (nh[hart].epfd < 0 || nh[hart].kickfd < 0 ||
	    epoll_ctl(nh[hart].epfd, EPOLL_CTL_ADD, nh[hart].kickfd, &ev)) {
		perror("lemmings-hosted: hart's epoll instance");
		exit(1);
	}
}

bool hosted_net_active(uint32_t hart)
{
	return __atomic_load_n(&nh[hart].registered, __ATOMIC_RELAXED) != 0;
}

/* On the hart stack: a look at this hart's sockets without waiting, as
 * the idle loop's (the hart marked in_irq, so that no wake-up switches). */
static void poll_now(void *arg)
{
	struct hart *h = this_hart();
	bool was = hart_irq_enter(h);

	(void)arg;
	hosted_net_wait(1); /* a deadline past: no wait */
	hart_irq_leave(h, was);
}

/* core/platform.h's plat_poll_busy: the hosted side of plat_switched. */
void plat_poll_busy(uint32_t hart)
{
	if (hosted_net_active(hart))
		hosted_on_hart_stack(poll_now, NULL);
}

void hosted_net_kick(uint32_t hart)
{
	uint64_t one = 1;

	sys(SYS_write, nh[hart].kickfd, &one, sizeof one);
}

uint32_t hosted_net_open_sockets(void)
{
	return __atomic_load_n(&open_count, __ATOMIC_RELAXED);
}

void hosted_net_wait(uint64_t deadline)
{
	struct net_hart *me = &nh[this_hart()->id];
	struct epoll_event events[EVENTS_MAX];
	struct timespec ts, *tsp = NULL;
	uint64_t counter;
	long n;

	if (deadline) {
		uint64_t now = plat_now_ns(), left = deadline > now ? deadline - now : 0;

		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		tsp = &ts;
	}
	n = syscall(SYS_epoll_pwait2, me->epfd, events, EVENTS_MAX, tsp, NULL, 0);
	for (long i = 0; i < n; i++) {
		uint64_t tag = events[i].data.u64;
		uint32_t flags = events[i].events;
		struct sock *s;
		unsigned dirs = 0;

		if (tag == KICK_TAG) {
			sys(SYS_read, me->kickfd, &counter, sizeof counter);
			continue;
		}
		if ((uint32_t)tag >= SOCKETS_MAX)
			continue;
		s = &socks[(uint32_t)tag];
		/* A socket closed since (its slot's generation moved on) has
		 * no waiters to wake. */
		if (__atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) != (uint32_t)(tag >> 32))
			continue;
		if (flags & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) /* before wake's count */
			__atomic_store_n(&s->ended, true, __ATOMIC_RELEASE);
		if (flags & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			dirs |= 1u << DIR_READ;
		if (flags & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			dirs |= 1u << DIR_WRITE;
		wake(s, dirs);
	}
}
