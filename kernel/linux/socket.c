/*
 * Linux's IPv4 sockets on the Net door (sdk/idl/net.idl, docs/net.md):
 * socket, bind, listen, accept, accept4, connect, send and recv in all
 * their forms, shutdown, the names, and a few options; read, write,
 * sendfile and poll work on them as on any file (fd.c, poll.c).
 *
 * The door is a trusted program's (programs/net, lwIP). The personality
 * runs on the process's set-apart hart, where no trusted code may run, so
 * each door call is made by a gate thread on a trusted hart (gate_run),
 * with this thread waiting. The door's handles never reach the program: a
 * socket is an open file (struct linux_file) whose data is a struct sock.
 *
 * Owns one page per socket: its state and its stash, bytes received from
 * the door and not yet read. Every receive goes through the stash, so
 * MSG_PEEK and poll's "readable" are a receive whose bytes stay there.
 * A listening socket keeps at most one connection that poll accepted
 * (pending) for the next accept.
 *
 * Blocking: a call that waits asks the door in slices of SLICE_NS, and
 * between slices gives up once the process is ending or a signal is
 * pending for the thread (LINUX_ERESTARTSYS: restarted under SA_RESTART,
 * or EINTR), so a kill ends a process blocked in accept within a slice.
 * O_NONBLOCK and MSG_DONTWAIT ask for one nanosecond: EAGAIN if nothing is
 * there. A wait keeps the process's call lock (as the console's does).
 *
 * Without a Net door (a kernel with no network card), socket works and
 * every call that needs the network gets ENETDOWN.
 *
 * Locking: a socket's state is changed only by calls of the process that
 * holds the call lock; a socket shared by fork is used by each process's
 * calls in turn only as far as the door's own locks go (as on Linux, two
 * readers of one socket get bytes in no set order).
 */
#include <lemmings/net.h>

#include "arch/vm.h"
#include "core/platform.h"
#include "core/timer.h"
#include "kernel/gate.h"
#include "kernel/linux/linux.h"
#include "kernel/pmm.h"
#include "lib/string.h"

#define SLICE_NS 100000000ull          /* a blocking call's slice: 100 ms */
#define CONNECT_SLICE_NS 1000000000ull /* a connect's: one attempt per second */
#define CONNECT_LIMIT_NS 60000000000ull /* then ETIMEDOUT, as Linux's retries */
#define NOW_NS 1                        /* a door timeout that only looks */

enum sock_state { SOCK_NEW, SOCK_LISTENING, SOCK_CONNECTED, SOCK_UDP };

struct sock {
	uint64_t page;
	uint32_t type;                 /* LINUX_SOCK_STREAM or LINUX_SOCK_DGRAM */
	enum sock_state state;
	net_socket handle;             /* the door's, from listen, accept, connect, udp_bind */
	struct net_endpoint bound;     /* bind's (has_bound); TCP: used by listen */
	struct net_endpoint peer;      /* connect's or accept's; UDP's default destination */
	bool busy[2];                  /* a call is receiving, sending (sock_enter) */
	bool has_bound, has_peer, eof, shut_rd, shut_wr;
	bool has_pending;              /* a connection accepted by poll */
	net_socket pending;
	struct net_endpoint pending_peer;
	long error;                    /* SO_ERROR's, once */
	uint64_t rcvtimeo, sndtimeo;   /* SO_RCVTIMEO, SO_SNDTIMEO (ns; 0: none) */
	struct net_endpoint from;      /* UDP: the stash's datagram's sender */
	uint32_t at, held;             /* the stash's bytes: stash[at, at + held) */
	uint8_t stash[];
};

#define STASH (4096 - sizeof(struct sock))

/* --- one call of the door, in a gate thread */

enum op { OP_LISTEN, OP_ACCEPT, OP_CONNECT, OP_RECV, OP_SEND, OP_SHUTDOWN, OP_CLOSE, OP_LOCAL,
	  OP_UDP_BIND, OP_SENDTO, OP_RECVFROM };

struct call {
	enum op op;
	net_socket s;           /* the socket called on */
	struct net_endpoint ep; /* where: listen, connect, udp_bind, sendto; accept's
				   peer, recvfrom's sender, local's answer */
	uint32_t backlog;
	uint8_t how;
	uint8_t *buf;
	uint64_t len, timeout;
	uint64_t done;          /* bytes received or sent */
	net_socket out;         /* the new socket of listen, accept, connect, udp_bind */
	net_error err;
};

static void door_call(void *ctx)
{
	struct call *c = ctx;
	const struct net_door *d = net_door_find();

	if (!d) {
		c->err = NET_ERROR_IO_MIN;
		return;
	}
	switch (c->op) {
	case OP_LISTEN: c->err = d->listen(c->ep.ip, c->ep.port, c->backlog, &c->out); break;
	case OP_ACCEPT: c->err = d->accept(c->s, c->timeout, &c->out, &c->ep); break;
	case OP_CONNECT: c->err = d->connect(c->ep.ip, c->ep.port, c->timeout, &c->out); break;
	case OP_RECV: c->err = d->recv(c->s, c->buf, c->len, c->timeout, &c->done); break;
	case OP_SEND: c->err = d->send(c->s, c->buf, c->len, c->timeout, &c->done); break;
	case OP_SHUTDOWN: c->err = d->shutdown(c->s, c->how); break;
	case OP_CLOSE: c->err = d->close(c->s); break;
	case OP_LOCAL: c->err = d->local(c->s, &c->ep); break;
	case OP_UDP_BIND: c->err = d->udp_bind(c->ep.ip, c->ep.port, &c->out); break;
	case OP_SENDTO: c->err = d->sendto(c->s, c->ep.ip, c->ep.port, c->buf, c->len); break;
	case OP_RECVFROM:
		c->err = d->recvfrom(c->s, c->buf, c->len, c->timeout, &c->done, &c->ep);
		break;
	}
}

/* Make the call on a trusted hart; its error. */
static net_error call(struct call *c)
{
	struct uthread *t = untrusted_current();

	gate_run(door_call, c, t ? t->p->id : 0);
	return c->err;
}

/* The errno of a door error. */
static long errno_of(net_error e)
{
	switch (e) {
	case NET_ERROR_OK_MIN: return 0;
	case NET_ERROR_NO_MEMORY_MIN: return LINUX_ERR(LINUX_ENOMEM);
	case NET_ERROR_NOT_FOUND_MIN: return LINUX_ERR(LINUX_EBADF);
	case NET_ERROR_FULL_MIN: return LINUX_ERR(LINUX_ENOBUFS);
	case NET_ERROR_UNSUPPORTED_MIN: return LINUX_ERR(LINUX_EOPNOTSUPP);
	case NET_ERROR_TIMED_OUT_MIN: return LINUX_ERR(LINUX_ETIMEDOUT);
	case NET_ERROR_FAULT_MIN: return LINUX_ERR(LINUX_EFAULT);
	case NET_ERROR_REFUSED_MIN: return LINUX_ERR(LINUX_ECONNREFUSED);
	case NET_ERROR_RESET_MIN: return LINUX_ERR(LINUX_ECONNRESET);
	case NET_ERROR_ADDRESS_IN_USE_MIN: return LINUX_ERR(LINUX_EADDRINUSE);
	case NET_ERROR_NO_ROUTE_MIN: return LINUX_ERR(LINUX_ENETUNREACH);
	case NET_ERROR_CLOSED_MIN: return LINUX_ERR(LINUX_EPIPE);
	case NET_ERROR_INVALID_MIN: return LINUX_ERR(LINUX_EINVAL);
	default: return LINUX_ERR(LINUX_EIO);
	}
}

/* Whether the calling thread should stop waiting: its process is ending,
 * or a signal is pending for it. */
static bool interrupted(void)
{
	struct uthread *t = untrusted_current();

	return t && (untrusted_stopping(t) || untrusted_signalled(t));
}

/*
 * Each side of a socket is one call's at a time: a fork shares a socket
 * between processes, whose calls do not take turns otherwise (each has
 * its own call lock). Receiving (the stash, accept's pending connection)
 * and sending are the two sides, so one process may send while another
 * waits to receive, as on Linux; a call that changes the socket (bind,
 * listen, connect, shutdown, options), and a UDP socket's first send or
 * receive (which binds it), takes both; the names only read what those
 * change, and take the sending side. A call that finds its side taken
 * naps a millisecond at a time while the other goes on, and gives up as
 * any wait does.
 */
enum { RX = 1, TX = 2, BOTH = RX | TX };

static void sock_leave(struct sock *s, unsigned sides)
{
	for (unsigned i = 0; i < 2; i++)
		if (sides >> i & 1)
			__atomic_store_n(&s->busy[i], false, __ATOMIC_RELEASE);
}

static long sock_enter(struct sock *s, unsigned sides)
{
	for (unsigned i = 0; i < 2; i++) {
		if (!(sides >> i & 1))
			continue;
		while (__atomic_exchange_n(&s->busy[i], true, __ATOMIC_ACQUIRE)) {
			if (interrupted()) {
				sock_leave(s, sides & ((1u << i) - 1)); /* what it took */
				return LINUX_ERR(LINUX_ERESTARTSYS);
			}
			timer_sleep_ns(1000000);
		}
	}
	return 0;
}

/* The sides a send or receive takes: both while a UDP socket is unbound. */
static unsigned sides_for(const struct sock *s, unsigned side)
{
	return s->type == LINUX_SOCK_DGRAM && s->state != SOCK_UDP ? BOTH : side;
}

/*
 * Make c, which may wait (accept, recv, send, recvfrom, connect), in
 * slices of slice_ns until it does not time out: 0 or a negated errno.
 * nonblock: look once. limit_ns (0: none): then give up with EAGAIN
 * (SO_RCVTIMEO, SO_SNDTIMEO) or ETIMEDOUT (connect).
 */
static long waiting(struct call *c, bool nonblock, uint64_t slice_ns, uint64_t limit_ns,
		    long limit_errno)
{
	uint64_t start = plat_now_ns();

	for (;;) {
		uint64_t spent = plat_now_ns() - start;

		c->timeout = nonblock ? NOW_NS : slice_ns;
		if (limit_ns) {
			if (spent >= limit_ns)
				return LINUX_ERR(limit_errno);
			if (limit_ns - spent < c->timeout)
				c->timeout = limit_ns - spent;
		}
		if (!net_error_is_timed_out(call(c)))
			return errno_of(c->err);
		if (nonblock)
			return LINUX_ERR(LINUX_EAGAIN);
		if (interrupted())
			return LINUX_ERR(LINUX_ERESTARTSYS);
	}
}

/* --- sockets as files */

static const struct linux_file_ops sock_ops;

static struct sock *sock_new(uint32_t type)
{
	uint64_t page = pmm_alloc_page();
	struct sock *s;

	if (!page)
		return NULL;
	s = phys_to_virt(page);
	*s = (struct sock){.page = page, .type = type};
	return s;
}

static void door_close(net_socket h)
{
	struct call c = {.op = OP_CLOSE, .s = h};

	call(&c);
}

static void sock_release(struct linux_file *f)
{
	struct sock *s = f->data;

	if (s->handle)
		door_close(s->handle);
	if (s->has_pending)
		door_close(s->pending);
	pmm_free_page(s->page);
}

/* The socket of descriptor fd: NULL with *err EBADF or ENOTSOCK. */
static struct sock *sock_of(struct linux_proc *lp, uint64_t fd, struct linux_file **file,
			    long *err)
{
	struct linux_file *f = linux_fd_file(lp, (long)fd);

	*err = LINUX_ERR(f ? LINUX_ENOTSOCK : LINUX_EBADF);
	if (!f || f->ops != &sock_ops)
		return NULL;
	if (file)
		*file = f;
	return f->data;
}

/* A file for s, installed in lp's table: its descriptor, or an errno (s
 * is released either way on failure). */
static long sock_install(struct linux_proc *lp, struct sock *s, uint32_t flags)
{
	struct linux_file *f = linux_file_new(&sock_ops, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK),
					      0, s);

	if (!f) {
		struct linux_file tmp = {.data = s};

		sock_release(&tmp);
		return LINUX_ERR(LINUX_ENFILE);
	}
	return linux_fd_install(lp, f, 0, flags & LINUX_O_CLOEXEC);
}

static long udp_ready(struct sock *s);

/* --- receiving: through the stash */

/* A receive into the stash of s, connected or a bound UDP socket (its
 * timeout still to set). */
static struct call stash_call(struct sock *s)
{
	return (struct call){.op = s->state == SOCK_UDP ? OP_RECVFROM : OP_RECV,
			     .s = s->handle, .buf = s->stash, .len = STASH};
}

/* What a receive into the stash brought: its bytes and their sender; on
 * a connection, none is the peer's end. */
static void stashed(struct sock *s, const struct call *c)
{
	s->at = 0;
	s->held = (uint32_t)c->done;
	s->from = c->ep;
	s->eof = s->state == SOCK_CONNECTED && !c->done;
}

/*
 * Fill the stash if it is empty: 0 when it holds bytes (or, for TCP, the
 * peer's end is seen: s->eof), else a negated errno (EAGAIN, nothing yet).
 */
static long fill(struct sock *s, bool nonblock)
{
	struct call c;
	long err;

	if (s->held || s->eof)
		return 0;
	if (s->state != SOCK_UDP && s->state != SOCK_CONNECTED)
		return LINUX_ERR(LINUX_ENOTCONN);
	if (s->shut_rd)
		return (s->eof = true, 0);
	c = stash_call(s);
	if ((err = waiting(&c, nonblock, SLICE_NS, s->rcvtimeo, LINUX_EAGAIN)))
		return err;
	stashed(s, &c);
	return 0;
}

/* Up to len bytes into buf (kernel memory), the sender in *from: the
 * count, or a negated errno. A datagram is taken whole (its tail past len
 * is lost, as on Linux); peek leaves the bytes for the next receive. */
static long sock_recv(struct sock *s, void *buf, uint64_t len, bool nonblock, bool peek,
		      struct net_endpoint *from)
{
	long err;
	uint64_t n;

	if (s->type == LINUX_SOCK_STREAM && s->state != SOCK_CONNECTED)
		return LINUX_ERR(LINUX_ENOTCONN);
	if (s->type == LINUX_SOCK_DGRAM && (err = udp_ready(s)))
		return err; /* an unbound one is bound, as Linux does */
	if (!len && s->type == LINUX_SOCK_STREAM)
		return 0;
	if ((err = fill(s, nonblock)))
		return err;
	n = len < s->held ? len : s->held;
	memcpy(buf, s->stash + s->at, n);
	if (from)
		*from = s->type == LINUX_SOCK_DGRAM ? s->from : s->peer;
	if (peek)
		return (long)n;
	if (s->type == LINUX_SOCK_DGRAM)
		s->held = 0;
	else
		s->at += (uint32_t)n, s->held -= (uint32_t)n;
	return (long)n;
}

/* --- sending */

/* A UDP socket gets its door socket at its first use if bind gave none:
 * any address, a port the system picks. */
static long udp_ready(struct sock *s)
{
	struct call c = {.op = OP_UDP_BIND};
	long err;

	if (s->state == SOCK_UDP)
		return 0;
	if (!net_door_find())
		return LINUX_ERR(LINUX_ENETDOWN);
	c.ep = s->bound;
	if ((err = errno_of(call(&c))))
		return err;
	s->handle = c.out;
	s->state = SOCK_UDP;
	return 0;
}

/* len bytes of buf (kernel memory): to `to` (a datagram), or on the
 * connection, all of them unless nonblock (then what fit, or EAGAIN). */
static long sock_send(struct sock *s, const void *buf, uint64_t len, bool nonblock,
		      bool nosignal, const struct net_endpoint *to)
{
	uint64_t sent = 0;
	long err;

	if (s->type == LINUX_SOCK_DGRAM) {
		struct call c = {.op = OP_SENDTO, .buf = (uint8_t *)buf, .len = len};

		if (!to && !s->has_peer)
			return LINUX_ERR(LINUX_EDESTADDRREQ);
		if ((err = udp_ready(s)))
			return err;
		c.s = s->handle;
		c.ep = to ? *to : s->peer;
		if ((err = errno_of(call(&c))))
			return err == LINUX_ERR(LINUX_EINVAL) ? LINUX_ERR(LINUX_EMSGSIZE) : err;
		return (long)len;
	}
	if (s->state != SOCK_CONNECTED)
		return LINUX_ERR(s->state == SOCK_LISTENING ? LINUX_ENOTCONN : LINUX_EPIPE);
	err = s->shut_wr ? LINUX_ERR(LINUX_EPIPE) : 0;
	while (!err && sent < len) {
		struct call c = {.op = OP_SEND, .s = s->handle, .buf = (uint8_t *)buf + sent,
				 .len = len - sent};

		err = waiting(&c, nonblock, SLICE_NS, s->sndtimeo, LINUX_EAGAIN);
		if (!err && !c.done)
			err = LINUX_ERR(LINUX_EIO); /* never spin on a door that sends nothing */
		sent += c.done;
		if (nonblock && sent)
			break;
	}
	if (sent)
		return (long)sent; /* what went; the next send sees the error */
	if (err == LINUX_ERR(LINUX_EPIPE) && !nosignal) {
		struct uthread *t = untrusted_current();

		if (t)
			linux_signal_self(t, LINUX_SIGPIPE);
	}
	return err;
}

/* --- the file's operations */

static long sock_file_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
			   uint64_t *off)
{
	struct sock *s = f->data;
	unsigned sides = sides_for(s, RX);
	long n = sock_enter(s, sides);

	if (n)
		return n;
	n = sock_recv(s, buf, len, f->flags & LINUX_O_NONBLOCK, false, NULL);
	sock_leave(s, sides);
	return n;
}

static long sock_file_write(struct linux_file *f, const void *buf, uint64_t len, uint64_t *off)
{
	struct sock *s = f->data;
	unsigned sides = sides_for(s, TX);
	long n = sock_enter(s, sides);

	if (n)
		return n;
	n = sock_send(s, buf, len, f->flags & LINUX_O_NONBLOCK, false, NULL);
	sock_leave(s, sides);
	return n;
}

static long sock_file_stat(struct linux_file *f, struct linux_stat *st)
{
	*st = (struct linux_stat){.dev = 0x08, .ino = (uint64_t)(uintptr_t)f->data >> 12,
				  .nlink = 1, .mode = LINUX_S_IFSOCK | 0777, .blksize = 4096};
	return 0;
}

static long sock_file_ioctl(struct linux_file *f, struct linux_proc *lp, uint64_t req,
			    uint64_t arg)
{
	struct sock *s = f->data;
	int v = 0;
	long err;

	switch (req) {
	case LINUX_FIONREAD:
		v = (int)s->held;
		return linux_copy_out(lp, arg, &v, sizeof v);
	case LINUX_FIONBIO:
		if ((err = linux_copy_in(lp, &v, arg, sizeof v)))
			return err;
		f->flags = v ? f->flags | LINUX_O_NONBLOCK : f->flags & ~(uint32_t)LINUX_O_NONBLOCK;
		return 0;
	default:
		return LINUX_ERR(LINUX_ENOTTY);
	}
}

/* A connection waiting on listener s, taken from the door into pending
 * (waiting up to wait_ns; NOW_NS only looks): whether there is one. */
static bool have_pending(struct sock *s, uint64_t wait_ns)
{
	struct call c = {.op = OP_ACCEPT, .s = s->handle, .timeout = wait_ns};

	if (s->has_pending)
		return true;
	if (call(&c) == NET_ERROR_OK_MIN) {
		s->has_pending = true;
		s->pending = c.out;
		s->pending_peer = c.ep;
	} else if (!net_error_is_timed_out(c.err)) {
		s->error = errno_of(c.err);
	}
	return s->has_pending;
}

static short sock_poll(struct sock *s, short events, uint64_t wait_ns)
{
	short ready = 0;

	if (!wait_ns)
		wait_ns = NOW_NS;
	switch (s->state) {
	case SOCK_LISTENING:
		if (events & LINUX_POLLIN && have_pending(s, wait_ns))
			ready |= LINUX_POLLIN;
		break;
	case SOCK_CONNECTED:
	case SOCK_UDP:
		if (events & LINUX_POLLIN && !s->held && !s->eof) {
			struct call c = stash_call(s);
			long err;

			c.timeout = wait_ns;
			if (call(&c) == NET_ERROR_OK_MIN) {
				stashed(s, &c);
			} else if (!net_error_is_timed_out(c.err) && (err = errno_of(c.err))) {
				s->error = err;
				ready |= LINUX_POLLERR;
			}
		}
		if (s->held || s->eof)
			ready |= LINUX_POLLIN;
		if (!s->shut_wr)
			ready |= LINUX_POLLOUT;
		break;
	case SOCK_NEW:
		ready |= s->type == LINUX_SOCK_DGRAM ? LINUX_POLLOUT : LINUX_POLLOUT | LINUX_POLLHUP;
		break;
	}
	return (short)(ready & (events | LINUX_POLLERR | LINUX_POLLHUP));
}

/* A socket another call is receiving from is not readable meanwhile. */
static short sock_file_poll(struct linux_proc *lp, struct linux_file *f, short events,
			    uint64_t wait_ns)
{
	struct sock *s = f->data;
	short ready;

	if (__atomic_exchange_n(&s->busy[0], true, __ATOMIC_ACQUIRE))
		return sock_poll(s, events & ~LINUX_POLLIN, 0);
	ready = sock_poll(s, events, wait_ns);
	sock_leave(s, RX);
	return ready;
}

static const struct linux_file_ops sock_ops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.stat = sock_file_stat,
	.ioctl = sock_file_ioctl,
	.poll = sock_file_poll,
	.poll_waits = true,
	.release = sock_release,
};

/* --- addresses */

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)(v >> 8 | v << 8);
}

/* The program's struct sockaddr_in at uaddr (ulen bytes) into *ep. */
static long addr_in(struct linux_proc *lp, uint64_t uaddr, uint64_t ulen,
		    struct net_endpoint *ep)
{
	struct linux_sockaddr_in sa;

	if (ulen < sizeof sa || ulen > 128)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_in(lp, &sa, uaddr, sizeof sa))
		return LINUX_ERR(LINUX_EFAULT);
	if (sa.family != LINUX_AF_INET)
		return LINUX_ERR(LINUX_EAFNOSUPPORT);
	ep->ip = __builtin_bswap32(sa.addr);
	ep->port = swap16(sa.port);
	return 0;
}

/* *ep as a struct sockaddr_in to the program's uaddr, whose room is the
 * int at ulenp (updated to the whole size, as Linux does); none if uaddr
 * is 0. */
static long addr_out(struct linux_proc *lp, uint64_t uaddr, uint64_t ulenp,
		     const struct net_endpoint *ep)
{
	struct linux_sockaddr_in sa = {.family = LINUX_AF_INET, .port = swap16(ep->port),
				       .addr = __builtin_bswap32(ep->ip)};
	int32_t len, whole = sizeof sa;

	if (!uaddr)
		return 0;
	if (linux_copy_in(lp, &len, ulenp, sizeof len))
		return LINUX_ERR(LINUX_EFAULT);
	if (len < 0)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_out(lp, uaddr, &sa, (uint64_t)len < sizeof sa ? (uint64_t)len : sizeof sa) ||
	    linux_copy_out(lp, ulenp, &whole, sizeof whole))
		return LINUX_ERR(LINUX_EFAULT);
	return 0;
}

/* --- the calls */

typedef long sock_call(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		       const uint64_t a[6]);

/* Run fn on the socket of descriptor a[0], with the sides it uses its
 * own meanwhile (RX, TX: more if sides_for says so; BOTH). Each call
 * below is do_NAME, made so by SOCK_CALL(NAME, SIDES). */
static long on_sock(struct linux_proc *lp, const uint64_t a[6], unsigned side, sock_call *fn)
{
	struct linux_file *f;
	struct sock *s;
	unsigned sides;
	long ret;

	if (!(s = sock_of(lp, a[0], &f, &ret)) || (ret = sock_enter(s, sides = sides_for(s, side))))
		return ret;
	ret = fn(lp, f, s, a);
	sock_leave(s, sides);
	return ret;
}

#define SOCK_CALL(name, sides)                              \
	LINUX_CALL(name)                                    \
	{                                                   \
		return on_sock(lp, a, sides, do_##name);    \
	}

/* socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol) */
LINUX_CALL(socket)
{
	uint32_t type = a[1] & LINUX_SOCK_TYPE_MASK;
	uint64_t proto = a[2];
	struct sock *s;

	if (a[0] != LINUX_AF_INET)
		return LINUX_ERR(LINUX_EAFNOSUPPORT);
	if (a[1] & ~(uint64_t)(LINUX_SOCK_TYPE_MASK | LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
		return LINUX_ERR(LINUX_EINVAL);
	if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM)
		return LINUX_ERR(LINUX_EPROTONOSUPPORT);
	if (proto && proto != (type == LINUX_SOCK_STREAM ? LINUX_IPPROTO_TCP : LINUX_IPPROTO_UDP))
		return LINUX_ERR(LINUX_EPROTONOSUPPORT);
	if (!(s = sock_new(type)))
		return LINUX_ERR(LINUX_ENOMEM);
	return sock_install(lp, s, (uint32_t)a[1]);
}

/* socketpair: only AF_UNIX makes pairs, and there is no AF_UNIX. */
LINUX_CALL(socketpair)
{
	return LINUX_ERR(a[0] == LINUX_AF_INET ? LINUX_EOPNOTSUPP : LINUX_EAFNOSUPPORT);
}

/* bind(fd, addr, len): a TCP socket's address is taken by listen; a UDP
 * socket gets its door socket now (EADDRINUSE here, as on Linux). */
static long do_bind(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		    const uint64_t a[6])
{
	struct net_endpoint ep;
	long err;

	if ((err = addr_in(lp, a[1], a[2], &ep)))
		return err;
	if (s->state != SOCK_NEW || s->has_bound)
		return LINUX_ERR(LINUX_EINVAL); /* bound once, as on Linux */
	s->bound = ep;
	s->has_bound = true;
	if (s->type == LINUX_SOCK_DGRAM)
		return udp_ready(s);
	return 0;
}

SOCK_CALL(bind, BOTH)

static long do_listen(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		      const uint64_t a[6])
{
	struct call c = {.op = OP_LISTEN};
	long err;

	if (s->type != LINUX_SOCK_STREAM)
		return LINUX_ERR(LINUX_EOPNOTSUPP);
	if (s->state == SOCK_LISTENING)
		return 0;
	if (s->state != SOCK_NEW)
		return LINUX_ERR(LINUX_EINVAL);
	if (!net_door_find())
		return LINUX_ERR(LINUX_ENETDOWN);
	c.ep = s->bound;
	/* Linux caps a backlog at its somaxconn; a non-positive one is 1. */
	c.backlog = (int)a[1] <= 0 ? 1 : (int)a[1] > 4096 ? 4096 : (uint32_t)a[1];
	if ((err = errno_of(call(&c))))
		return err;
	s->handle = c.out;
	s->state = SOCK_LISTENING;
	return 0;
}

SOCK_CALL(listen, BOTH)

/* accept4(fd, addr, len, flags): SOCK_NONBLOCK, SOCK_CLOEXEC. */
static long do_accept4(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		       const uint64_t a[6])
{
	struct sock *n;
	long err;

	if (a[3] & ~(uint64_t)(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
		return LINUX_ERR(LINUX_EINVAL);
	if (s->state != SOCK_LISTENING)
		return LINUX_ERR(LINUX_EINVAL);
	if (!s->has_pending) {
		struct call c = {.op = OP_ACCEPT, .s = s->handle};

		if ((err = waiting(&c, f->flags & LINUX_O_NONBLOCK, SLICE_NS, s->rcvtimeo,
				   LINUX_EAGAIN)))
			return err;
		s->pending = c.out, s->pending_peer = c.ep, s->has_pending = true;
	}
	if (!(n = sock_new(LINUX_SOCK_STREAM)))
		return LINUX_ERR(LINUX_ENOMEM); /* the connection stays pending */
	s->has_pending = false;
	n->state = SOCK_CONNECTED;
	n->handle = s->pending;
	n->peer = s->pending_peer;
	n->has_peer = true;
	if ((err = sock_install(lp, n, (uint32_t)a[3])) < 0)
		return err;
	if (addr_out(lp, a[1], a[2], &n->peer)) {
		linux_file_put(lp->fd[err]); /* as Linux: the connection is lost */
		lp->fd[err] = NULL;
		return LINUX_ERR(LINUX_EFAULT);
	}
	return err;
}

SOCK_CALL(accept4, RX)

LINUX_CALL(accept)
{
	const uint64_t b[6] = {a[0], a[1], a[2], 0};

	return linux_sys_accept4(lp, b);
}

/* connect(fd, addr, len): TCP opens the connection (waiting even with
 * O_NONBLOCK: it has finished, one way or the other, when connect
 * returns); UDP sets the default destination. */
static long do_connect(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		       const uint64_t a[6])
{
	struct call c = {.op = OP_CONNECT};
	long err;

	if ((err = addr_in(lp, a[1], a[2], &c.ep)))
		return err;
	if (s->type == LINUX_SOCK_DGRAM) {
		s->peer = c.ep;
		s->has_peer = true;
		return 0;
	}
	if (s->state == SOCK_CONNECTED)
		return LINUX_ERR(LINUX_EISCONN);
	if (s->state != SOCK_NEW)
		return LINUX_ERR(LINUX_EINVAL);
	if (!net_door_find())
		return LINUX_ERR(LINUX_ENETDOWN);
	if ((err = waiting(&c, false, CONNECT_SLICE_NS,
			   s->sndtimeo ? s->sndtimeo : CONNECT_LIMIT_NS, LINUX_ETIMEDOUT)))
		return err == LINUX_ERR(LINUX_EPIPE) ? LINUX_ERR(LINUX_ECONNRESET) : err;
	s->handle = c.out;
	s->peer = c.ep;
	s->has_peer = true;
	s->state = SOCK_CONNECTED;
	return 0;
}

SOCK_CALL(connect, BOTH)

/* The send and receive calls move data through the bounce buffer, a
 * chunk at a time (as fd.c's read and write). */

/* sendto(fd, buf, len, flags, addr, addrlen) */
static long do_sendto(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		      const uint64_t a[6])
{
	struct net_endpoint to;
	uint64_t done = 0, len = a[2];
	bool nonblock;
	long err;

	if (a[4] && (err = addr_in(lp, a[4], a[5], &to)))
		return err;
	nonblock = f->flags & LINUX_O_NONBLOCK || a[3] & LINUX_MSG_DONTWAIT;
	if (s->type == LINUX_SOCK_DGRAM && len > LINUX_BUF)
		return LINUX_ERR(LINUX_EMSGSIZE); /* one datagram, one bounce buffer */
	do {
		uint64_t chunk = len - done < LINUX_BUF ? len - done : LINUX_BUF;

		if (linux_copy_in(lp, lp->buf, a[1] + done, chunk))
			return done ? (long)done : LINUX_ERR(LINUX_EFAULT);
		err = sock_send(s, lp->buf, chunk, nonblock, a[3] & LINUX_MSG_NOSIGNAL,
				a[4] && s->type == LINUX_SOCK_DGRAM ? &to : NULL);
		if (err < 0)
			return done ? (long)done : err;
		done += (uint64_t)err;
		if ((uint64_t)err < chunk)
			break;
	} while (done < len);
	return (long)done;
}

SOCK_CALL(sendto, TX)

/* recvfrom(fd, buf, len, flags, addr, addrlen): one receive (MSG_WAITALL:
 * until len bytes or the end). */
static long do_recvfrom(struct linux_proc *lp, struct linux_file *f, struct sock *s,
			const uint64_t a[6])
{
	struct net_endpoint from = {0};
	uint64_t done = 0, len = a[2];
	bool nonblock, peek = a[3] & LINUX_MSG_PEEK;
	long n;

	nonblock = f->flags & LINUX_O_NONBLOCK || a[3] & LINUX_MSG_DONTWAIT;
	do {
		uint64_t chunk = len - done < LINUX_BUF ? len - done : LINUX_BUF;

		if (linux_check_out(lp, a[1] + done, chunk))
			return done ? (long)done : LINUX_ERR(LINUX_EFAULT);
		n = sock_recv(s, lp->buf, chunk, nonblock, peek, &from);
		if (n < 0)
			return done ? (long)done : n;
		linux_copy_out(lp, a[1] + done, lp->buf, (uint64_t)n); /* checked above */
		done += (uint64_t)n;
		if (!n || s->type == LINUX_SOCK_DGRAM || peek || !(a[3] & LINUX_MSG_WAITALL))
			break;
	} while (done < len);
	if (a[4] && addr_out(lp, a[4], a[5], &from))
		return LINUX_ERR(LINUX_EFAULT);
	return (long)done;
}

SOCK_CALL(recvfrom, RX)

/* After recvmsg: the sender's address (if the program gave room), no
 * control messages, no flags. */
static long message_done(struct linux_proc *lp, uint64_t umsg, const struct net_endpoint *from)
{
	struct linux_msghdr m;

	if (linux_copy_in(lp, &m, umsg, sizeof m))
		return LINUX_ERR(LINUX_EFAULT);
	if (m.name && from && addr_out(lp, m.name, umsg + 8, from))
		return LINUX_ERR(LINUX_EFAULT);
	if (!from)
		m.namelen = 0;
	m.controllen = 0;
	m.flags = 0;
	return linux_copy_out(lp, umsg, &m, sizeof m) ? LINUX_ERR(LINUX_EFAULT) : 0;
}

/* One datagram of a message: gathered from its buffers and sent, or
 * received and scattered over them. */
static long datagram(struct linux_proc *lp, struct sock *s, struct linux_file *f,
		     const struct linux_msghdr *m, const uint64_t a[6], bool out)
{
	bool nonblock = f->flags & LINUX_O_NONBLOCK || a[2] & LINUX_MSG_DONTWAIT;
	struct net_endpoint ep;
	uint64_t used = 0, iov[2];
	long n = 0, err;

	if (out && m->name && (err = addr_in(lp, m->name, m->namelen, &ep)))
		return err;
	if (!out) {
		n = sock_recv(s, lp->buf, LINUX_BUF, nonblock, a[2] & LINUX_MSG_PEEK, &ep);
		if (n < 0)
			return n;
	}
	for (uint64_t i = 0; i < m->iovlen && (out || used < (uint64_t)n); i++) {
		uint64_t len;

		if (linux_copy_in(lp, iov, m->iov + 16 * i, sizeof iov))
			return LINUX_ERR(LINUX_EFAULT);
		if (out) {
			if (iov[1] > LINUX_BUF - used)
				return LINUX_ERR(LINUX_EMSGSIZE);
			if (linux_copy_in(lp, lp->buf + used, iov[0], iov[1]))
				return LINUX_ERR(LINUX_EFAULT);
			used += iov[1];
			continue;
		}
		len = iov[1] < (uint64_t)n - used ? iov[1] : (uint64_t)n - used;
		if (linux_copy_out(lp, iov[0], lp->buf + used, len))
			return LINUX_ERR(LINUX_EFAULT);
		used += len;
	}
	if (out)
		return sock_send(s, lp->buf, used, nonblock, a[2] & LINUX_MSG_NOSIGNAL,
				 m->name ? &ep : NULL);
	return (err = message_done(lp, a[1], &ep)) ? err : (long)used;
}

/*
 * sendmsg and recvmsg: the message's address and buffers (no control
 * messages: msg_controllen comes back 0). On a stream, each buffer in turn
 * through sendto or recvfrom; a datagram is gathered into, or scattered
 * from, the bounce buffer whole (so at most LINUX_BUF bytes).
 */
static long message(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		    const uint64_t a[6], bool out)
{
	struct linux_msghdr m;
	uint64_t total = 0, iov[2];
	long n = 0;

	if (linux_copy_in(lp, &m, a[1], sizeof m))
		return LINUX_ERR(LINUX_EFAULT);
	if (m.iovlen > 1024)
		return LINUX_ERR(LINUX_EMSGSIZE);
	if (s->type == LINUX_SOCK_DGRAM)
		return datagram(lp, s, f, &m, a, out);
	for (uint64_t i = 0; i < m.iovlen; i++) {
		if (linux_copy_in(lp, iov, m.iov + 16 * i, sizeof iov))
			return total ? (long)total : LINUX_ERR(LINUX_EFAULT);
		if (!iov[1])
			continue;
		const uint64_t c[6] = {a[0], iov[0], iov[1], a[2], 0, 0};

		n = out ? do_sendto(lp, f, s, c) : do_recvfrom(lp, f, s, c);
		if (n < 0)
			return total ? (long)total : n;
		total += (uint64_t)n;
		if ((uint64_t)n < iov[1])
			break;
	}
	if (!out && (n = message_done(lp, a[1], s->has_peer ? &s->peer : NULL)))
		return n;
	return (long)total;
}

static long do_sendmsg(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		       const uint64_t a[6])
{
	return message(lp, f, s, a, true);
}

static long do_recvmsg(struct linux_proc *lp, struct linux_file *f, struct sock *s,
		       const uint64_t a[6])
{
	return message(lp, f, s, a, false);
}

SOCK_CALL(sendmsg, TX)

SOCK_CALL(recvmsg, RX)

static long do_shutdown(struct linux_proc *lp, struct linux_file *f, struct sock *s,
			const uint64_t a[6])
{
	struct call c = {.op = OP_SHUTDOWN};
	long err;

	if (a[1] > LINUX_SHUT_RDWR)
		return LINUX_ERR(LINUX_EINVAL);
	if (s->state != SOCK_CONNECTED)
		return LINUX_ERR(LINUX_ENOTCONN);
	c.s = s->handle;
	c.how = (uint8_t)a[1];
	if ((err = errno_of(call(&c))))
		return err;
	if (a[1] != LINUX_SHUT_WR)
		s->shut_rd = true;
	if (a[1] != LINUX_SHUT_RD)
		s->shut_wr = true;
	return 0;
}

SOCK_CALL(shutdown, BOTH)

static long do_getsockname(struct linux_proc *lp, struct linux_file *f, struct sock *s,
			   const uint64_t a[6])
{
	struct call c = {.op = OP_LOCAL};
	long err;

	if (s->state == SOCK_NEW) {
		c.ep = s->bound;
	} else {
		c.s = s->handle;
		if ((err = errno_of(call(&c))))
			return err;
	}
	if (!a[1] || addr_out(lp, a[1], a[2], &c.ep))
		return LINUX_ERR(LINUX_EFAULT);
	return 0;
}

SOCK_CALL(getsockname, TX)

static long do_getpeername(struct linux_proc *lp, struct linux_file *f, struct sock *s,
			   const uint64_t a[6])
{
	if (!s->has_peer)
		return LINUX_ERR(LINUX_ENOTCONN);
	if (!a[1] || addr_out(lp, a[1], a[2], &s->peer))
		return LINUX_ERR(LINUX_EFAULT);
	return 0;
}

SOCK_CALL(getpeername, TX)

/* A struct timeval's worth in nanoseconds (0: no limit). */
static long timeval_in(struct linux_proc *lp, uint64_t uaddr, uint64_t len, uint64_t *ns)
{
	return len < 2 * sizeof(int64_t) ? LINUX_ERR(LINUX_EINVAL) : linux_timeval_in(lp, uaddr, ns);
}

/*
 * setsockopt(fd, level, name, value, len): SO_RCVTIMEO and SO_SNDTIMEO
 * are kept; the options the door already has or that change nothing here
 * (SO_REUSEADDR, SO_KEEPALIVE, TCP_NODELAY: Nagle is off, ...) are
 * accepted; others get ENOPROTOOPT.
 */
static long do_setsockopt(struct linux_proc *lp, struct linux_file *f, struct sock *s,
			  const uint64_t a[6])
{
	int32_t v;

	if (a[1] == LINUX_SOL_SOCKET && (a[2] == LINUX_SO_RCVTIMEO || a[2] == LINUX_SO_SNDTIMEO))
		return timeval_in(lp, a[3], a[4],
				  a[2] == LINUX_SO_RCVTIMEO ? &s->rcvtimeo : &s->sndtimeo);
	if (a[4] < sizeof v)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_in(lp, &v, a[3], sizeof v))
		return LINUX_ERR(LINUX_EFAULT);
	if (a[1] == LINUX_SOL_SOCKET || a[1] == LINUX_IPPROTO_TCP || a[1] == 0 /* IPPROTO_IP */)
		return 0;
	return LINUX_ERR(LINUX_ENOPROTOOPT);
}

SOCK_CALL(setsockopt, BOTH)

/* getsockopt: SO_TYPE, SO_ERROR (once), and 0 for the options set
 * accepts; ENOPROTOOPT for others. */
static long do_getsockopt(struct linux_proc *lp, struct linux_file *f, struct sock *s,
			  const uint64_t a[6])
{
	int32_t v = 0, len;

	if (linux_copy_in(lp, &len, a[4], sizeof len))
		return LINUX_ERR(LINUX_EFAULT);
	if (len < (int32_t)sizeof v)
		return LINUX_ERR(LINUX_EINVAL);
	if (a[1] == LINUX_SOL_SOCKET && a[2] == LINUX_SO_TYPE) {
		v = (int32_t)s->type;
	} else if (a[1] == LINUX_SOL_SOCKET && a[2] == LINUX_SO_ERROR) {
		v = (int32_t)-s->error;
		s->error = 0;
	} else if (a[1] != LINUX_SOL_SOCKET && a[1] != LINUX_IPPROTO_TCP && a[1] != 0) {
		return LINUX_ERR(LINUX_ENOPROTOOPT);
	}
	len = sizeof v;
	if (linux_copy_out(lp, a[3], &v, sizeof v) || linux_copy_out(lp, a[4], &len, sizeof len))
		return LINUX_ERR(LINUX_EFAULT);
	return 0;
}

SOCK_CALL(getsockopt, BOTH)
