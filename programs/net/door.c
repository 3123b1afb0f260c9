/*
 * The Net door (sdk/idl/net.idl) on lwIP's raw API: the same door as
 * lemmings-hosted's (hosted/net.c), so one client binary runs on both.
 *
 * Owns the socket table (SOCK_MAX slots) and everything in it. Locking:
 * all of it is guarded by lwIP's core lock, which lwIP's callbacks hold
 * too; a routine's work runs under it, on the core stack (core.h).
 *
 * Handles: bits 0-31 a slot, bits 32-63 its generation, odd while open; a
 * close makes it even, so a stale handle gets not_found and a value that
 * never was a handle invalid, as in the hosted door.
 *
 * Blocking: a routine's work (an op) either finishes or says it must wait.
 * Then the caller makes a waiter (wait.h) on its own stack, runs the op
 * again, which this time puts the waiter on the socket's list before the
 * core lock is let go, and sleeps. Every callback that changes a socket
 * (data, room to send, a connection, an error) wakes its whole list, and
 * each waiter tries its op again. Only the caller sleeps; any number of
 * threads may wait on one socket.
 *
 * Backpressure: received bytes stay in lwIP's pbufs on the socket until
 * recv takes them, and only then is TCP's window opened (tcp_recved); a
 * send takes what fits in TCP's send buffer (tcp_sndbuf) and waits while
 * it is full; a listener accepts at most its backlog of connections not
 * yet taken (lwIP refuses the next SYN: tcp_backlog_delayed); a UDP socket
 * keeps UDP_QUEUE datagrams and drops what comes beyond.
 */
#include <stdbool.h>
#include <string.h>

#include <lemmings/net.h>

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "programs/net/core.h"
#include "programs/net/door.h"
#include "programs/net/wait.h"

#define SOCK_MAX 1024
#define UDP_QUEUE 32
#define UDP_MAX 65507

enum kind { KIND_FREE, KIND_LISTEN, KIND_TCP, KIND_UDP };

struct dgram {
	struct pbuf *p;
	uint32_t ip;
	uint16_t port;
};

struct sock {
	uint32_t gen;               /* odd while open */
	uint8_t kind;
	bool connected;             /* TCP: established (accepted, or connect done) */
	bool eof;                   /* TCP: the peer shut down its side */
	bool rx_shut, tx_shut;      /* shut down here */
	enum lm_err err;            /* TCP: why the connection ended; its pcb is gone */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	} pcb;
	struct net_endpoint local, peer;
	struct pbuf *rx;            /* TCP: bytes received, not yet taken */
	struct sock *next;          /* free list; a listener's pending list */
	struct sock *pending, *pending_tail; /* listener: accepted, not yet taken */
	uint32_t pending_count, backlog;
	struct dgram dq[UDP_QUEUE]; /* UDP: datagrams received, oldest at dq_head */
	uint32_t dq_head, dq_count;
	struct net_waiter *waiters;
};

static struct sock socks[SOCK_MAX];
static struct sock *free_list;
static uint32_t high_water;     /* slots ever used */
static uint64_t open_count;   /* sockets open, pending ones included */

/* ---------------------------------------------------------------- the table */

static net_socket handle_of(struct sock *s)
{
	return (uint64_t)s->gen << 32 | (uint64_t)(s - socks);
}

static struct sock *sock_new(enum kind kind)
{
	struct sock *s = free_list;

	if (s)
		free_list = s->next;
	else if (high_water < SOCK_MAX)
		s = &socks[high_water++];
	else
		return NULL;
	uint32_t gen = s->gen + 1;
	memset(s, 0, sizeof *s);
	s->gen = gen;
	s->kind = (uint8_t)kind;
	open_count++;
	return s;
}

static void sock_free(struct sock *s)
{
	s->gen++;
	s->kind = KIND_FREE;
	net_wake_all(&s->waiters);
	s->next = free_list;
	free_list = s;
	open_count--;
}

static enum lm_err sock_get(net_socket h, struct sock **out)
{
	uint32_t index = (uint32_t)h, gen = (uint32_t)(h >> 32);
	struct sock *s;

	if (!(gen & 1) || index >= high_water)
		return LM_ERR_INVAL;
	s = &socks[index];
	if ((int32_t)(gen - s->gen) > 0)
		return LM_ERR_INVAL;
	if (gen != s->gen)
		return LM_ERR_NOENT;
	*out = s;
	return LM_OK;
}

static enum lm_err sock_get_kind(net_socket h, enum kind kind, struct sock **out)
{
	enum lm_err err = sock_get(h, out);

	if (!err && (*out)->kind != kind)
		return LM_ERR_INVAL;
	return err;
}

static void endpoint_of(struct net_endpoint *e, const ip_addr_t *ip, u16_t port)
{
	e->ip = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(ip)));
	e->port = port;
}

static void ip_of(ip_addr_t *a, net_ipv4 ip)
{
	ip_addr_set_ip4_u32(a, lwip_htonl(ip));
}

static enum lm_err err_of(err_t e)
{
	switch (e) {
	case ERR_OK: return LM_OK;
	case ERR_MEM: case ERR_BUF: return LM_ERR_NOMEM;
	case ERR_USE: return LM_ERR_ADDRINUSE;
	case ERR_RTE: return LM_ERR_NOROUTE;
	case ERR_VAL: case ERR_ARG: return LM_ERR_INVAL;
	case ERR_RST: case ERR_ABRT: return LM_ERR_RESET;
	case ERR_CLSD: return LM_ERR_CLOSED;
	case ERR_TIMEOUT: return LM_ERR_TIMEOUT;
	default: return LM_ERR_IO;
	}
}

/* ---------------------------------------------------------------- lwIP's callbacks */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;

	if (!p) {
		s->eof = true;
	} else if (s->rx_shut) { /* nobody will read: take and drop */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
	} else if (s->rx) {
		pbuf_cat(s->rx, p);
	} else {
		s->rx = p;
	}
	net_wake_all(&s->waiters);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	net_wake_all(&((struct sock *)arg)->waiters);
	return ERR_OK;
}

/* The pcb is gone (reset, aborted, timed out): lwIP frees it itself. */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;

	s->pcb.tcp = NULL;
	if (err == ERR_RST && !s->connected)
		s->err = LM_ERR_REFUSED;
	else if (err == ERR_CLSD)
		s->err = LM_ERR_RESET;
	else
		s->err = err_of(err);
	net_wake_all(&s->waiters);
}

static void tcp_hooks(struct sock *s, struct tcp_pcb *pcb)
{
	s->pcb.tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_nagle_disable(pcb);
}

/* Unhook a pcb from its socket, which is closing, and let it end on its
 * own: a FIN after what was sent, or a reset if lwIP cannot close now. */
static void tcp_release(struct sock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	if (s->rx) {
		if (pcb)
			tcp_recved(pcb, s->rx->tot_len);
		pbuf_free(s->rx);
		s->rx = NULL;
	}
	if (!pcb)
		return;
	s->pcb.tcp = NULL;
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg, *s;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (l->pending_count >= l->backlog || !(s = sock_new(KIND_TCP))) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	s->connected = true;
	tcp_hooks(s, pcb);
	endpoint_of(&s->local, &pcb->local_ip, pcb->local_port);
	endpoint_of(&s->peer, &pcb->remote_ip, pcb->remote_port);
	tcp_backlog_delayed(pcb);
	if (l->pending_tail)
		l->pending_tail->next = s;
	else
		l->pending = s;
	l->pending_tail = s;
	l->pending_count++;
	net_wake_all(&l->waiters);
	return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	s->connected = true;
	endpoint_of(&s->local, &pcb->local_ip, pcb->local_port);
	net_wake_all(&s->waiters);
	return ERR_OK;
}

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct sock *s = arg;
	struct dgram *d;

	if (s->dq_count == UDP_QUEUE) {
		pbuf_free(p);
		return;
	}
	d = &s->dq[(s->dq_head + s->dq_count++) % UDP_QUEUE];
	d->p = p;
	d->ip = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
	d->port = port;
	net_wake_all(&s->waiters);
}

/* ---------------------------------------------------------------- calls */

/* One call of the door: its arguments, its result, and whether its op must
 * wait (and on which socket). */
struct call {
	net_socket handle;
	net_ipv4 ip;
	net_port port;
	uint32_t backlog;
	uint8_t how;
	const uint8_t *in, *in2;
	uint8_t *buf;
	uint64_t length, length2, done;
	net_socket out;
	struct net_endpoint endpoint;
	struct sock *sock;          /* the socket the op waits on */
	struct net_waiter *waiter;  /* to put on its list, if the op waits */
	bool wait;
	enum lm_err err;
	void (*op)(void *);
};

/* The op could not finish: wait on s, if a waiter is ready to. */
static void must_wait(struct call *c, struct sock *s)
{
	c->wait = true;
	c->sock = s;
	if (c->waiter)
		net_waiter_add(&s->waiters, c->waiter);
}

static void unwait_locked(void *arg)
{
	struct call *c = arg;

	net_waiter_remove(&c->sock->waiters, c->waiter);
}

static void unwait(void *arg)
{
	net_core_run(unwait_locked, arg);
}

/* One round of c->op under the core lock, on the core stack. */
static void run_once(void *arg)
{
	struct call *c = arg;

	net_core_run(c->op, c);
}

/* Run op until it finishes or timeout_ns passes (0: no limit); its result.
 * Each round runs on a call stack (core.h), which it gives back before
 * sleeping: a thread blocked in recv holds none, and the sleep itself (a
 * wait on the Timer door) is shallow on the caller's stack. */
static enum lm_err run(void (*op)(void *), struct call *c, uint64_t timeout_ns)
{
	struct net_waiter w;

	c->op = op;
	c->waiter = NULL;
	for (;;) {
		c->wait = false;
		c->err = LM_OK;
		net_call_run(run_once, c);
		if (!c->wait)
			break;
		if (!c->waiter) { /* the first time: make a waiter, try again */
			net_waiter_init(&w, timeout_ns ? net_now() + timeout_ns : 0);
			c->waiter = &w;
			continue;
		}
		if (!net_waiter_sleep(&w) && w.deadline && net_now() >= w.deadline) {
			net_call_run(unwait, c);
			c->err = LM_ERR_TIMEOUT;
			break;
		}
		net_waiter_rearm(&w);
	}
	if (c->waiter)
		net_waiter_done(&w);
	return c->err;
}

/* A new socket of kind with a new pcb of lwIP (TCP or UDP); NULL with
 * c->err set when either is lacking. */
static struct sock *sock_open(struct call *c, enum kind kind)
{
	struct sock *s = sock_new(kind);

	if (!s) {
		c->err = LM_ERR_FULL;
		return NULL;
	}
	if (kind == KIND_UDP)
		s->pcb.udp = udp_new();
	else
		s->pcb.tcp = tcp_new();
	if (!s->pcb.tcp && !s->pcb.udp) {
		sock_free(s);
		c->err = LM_ERR_NOMEM;
		return NULL;
	}
	return s;
}

static void op_listen(void *arg)
{
	struct call *c = arg;
	struct tcp_pcb *pcb, *l;
	struct sock *s;
	ip_addr_t ip;
	err_t e;

	s = sock_open(c, KIND_LISTEN);
	if (!s)
		return;
	pcb = s->pcb.tcp;
	ip_of(&ip, c->ip);
	e = tcp_bind(pcb, &ip, c->port);
	if (e == ERR_OK) {
		l = tcp_listen_with_backlog_and_err(pcb, c->backlog > 255 ? 255 : (u8_t)c->backlog, &e);
		if (l)
			pcb = l;
	}
	if (e != ERR_OK) {
		tcp_close(pcb);
		sock_free(s);
		c->err = err_of(e);
		return;
	}
	s->pcb.tcp = pcb; /* the listening pcb that replaced it */
	s->backlog = c->backlog;
	endpoint_of(&s->local, &pcb->local_ip, pcb->local_port);
	tcp_arg(pcb, s);
	tcp_accept(pcb, on_accept);
	c->out = handle_of(s);
}

static net_error door_listen(net_ipv4 ip, net_port port, uint32_t backlog, net_socket *out)
{
	struct call c = {.ip = ip, .port = port, .backlog = backlog};

	if (backlog < 1 || backlog > 65535)
		return LM_ERR_INVAL;
	if (!out)
		return LM_ERR_FAULT;
	if (!run(op_listen, &c, 0))
		*out = c.out;
	return c.err;
}

static void op_accept(void *arg)
{
	struct call *c = arg;
	struct sock *l, *s;

	c->err = sock_get_kind(c->handle, KIND_LISTEN, &l);
	if (c->err)
		return;
	s = l->pending;
	if (!s) {
		must_wait(c, l);
		return;
	}
	l->pending = s->next;
	if (!l->pending)
		l->pending_tail = NULL;
	l->pending_count--;
	s->next = NULL;
	if (s->pcb.tcp)
		tcp_backlog_accepted(s->pcb.tcp);
	c->out = handle_of(s);
	c->endpoint = s->peer;
}

static net_error door_accept(net_socket listener, net_timeout timeout, net_socket *out,
			     struct net_endpoint *peer)
{
	struct call c = {.handle = listener};

	if (!out)
		return LM_ERR_FAULT;
	if (!run(op_accept, &c, timeout)) {
		*out = c.out;
		if (peer)
			*peer = c.endpoint;
	}
	return c.err;
}

static void op_connect(void *arg)
{
	struct call *c = arg;
	struct sock *s = c->sock;
	struct tcp_pcb *pcb;
	ip_addr_t ip;
	err_t e;

	if (!s) { /* the first round: start the connection */
		s = sock_open(c, KIND_TCP);
		if (!s)
			return;
		pcb = s->pcb.tcp;
		tcp_hooks(s, pcb);
		ip_of(&ip, c->ip);
		endpoint_of(&s->peer, &ip, c->port);
		e = tcp_connect(pcb, &ip, c->port, on_connected);
		if (e != ERR_OK) {
			tcp_release(s);
			sock_free(s);
			c->err = err_of(e);
			return;
		}
		c->sock = s;
	}
	if (s->connected) {
		c->out = handle_of(s);
	} else if (s->err) {
		c->err = s->err;
		sock_free(s);
	} else {
		must_wait(c, s);
	}
}

static void abandon_connect(void *arg)
{
	struct call *c = arg;

	tcp_release(c->sock);
	sock_free(c->sock);
}

static void abandon_connect_run(void *arg)
{
	net_core_run(abandon_connect, arg);
}

static net_error door_connect(net_ipv4 ip, net_port port, net_timeout timeout, net_socket *out)
{
	struct call c = {.ip = ip, .port = port};

	if (!out)
		return LM_ERR_FAULT;
	if (!ip)
		return LM_ERR_INVAL;
	if (!run(op_connect, &c, timeout))
		*out = c.out;
	else if (c.err == LM_ERR_TIMEOUT)
		net_call_run(abandon_connect_run, &c);
	return c.err;
}

static void op_recv(void *arg)
{
	struct call *c = arg;
	struct sock *s;
	uint64_t n, left;

	c->err = sock_get_kind(c->handle, KIND_TCP, &s);
	if (c->err)
		return;
	if (s->rx && !s->rx_shut) {
		n = c->length < s->rx->tot_len ? c->length : s->rx->tot_len;
		pbuf_copy_partial(s->rx, c->buf, (u16_t)n, 0);
		s->rx = pbuf_free_header(s->rx, (u16_t)n);
		for (left = n; left && s->pcb.tcp; left -= left > 0xffff ? 0xffff : left)
			tcp_recved(s->pcb.tcp, (u16_t)(left > 0xffff ? 0xffff : left));
		c->done = n;
	} else if (s->eof || s->rx_shut) {
		c->done = 0;
	} else if (s->err) {
		c->err = s->err;
	} else if (!s->pcb.tcp) {
		c->err = LM_ERR_IO;
	} else {
		must_wait(c, s);
	}
}

static net_error door_recv(net_socket socket, uint8_t *buffer, uint64_t length,
			   net_timeout timeout, uint64_t *got)
{
	/* A pbuf chain's length is 16 bits: take at most 65535 at a time. */
	struct call c = {.handle = socket, .buf = buffer, .length = length > 0xffff ? 0xffff : length};

	if (!got || (!buffer && length))
		return LM_ERR_FAULT;
	if (!run(op_recv, &c, timeout))
		*got = c.done;
	return c.err;
}

/* Queue what fits of one buffer; false if lwIP took none of it. */
static uint64_t write_some(struct tcp_pcb *pcb, const uint8_t *p, uint64_t n, uint64_t room,
			   bool more)
{
	if (n > room)
		n = room;
	while (n && tcp_write(pcb, p, (u16_t)n, TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0)) != ERR_OK)
		n /= 2; /* out of segments or heap for all of it: try less */
	return n;
}

static void op_send(void *arg)
{
	struct call *c = arg;
	struct tcp_pcb *pcb;
	struct sock *s;
	uint64_t room, a = 0, b = 0;

	c->err = sock_get_kind(c->handle, KIND_TCP, &s);
	if (c->err)
		return;
	pcb = s->pcb.tcp;
	if (s->tx_shut) {
		c->err = LM_ERR_CLOSED;
		return;
	}
	if (!pcb) {
		c->err = s->err ? s->err : LM_ERR_IO;
		return;
	}
	if (!c->length && !c->length2) {
		c->done = 0;
		return;
	}
	room = tcp_sndbuf(pcb);
	if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 2)
		room = 0;
	if (room)
		a = write_some(pcb, c->in, c->length, room, c->length2 != 0);
	if (a == c->length && room > a && c->length2)
		b = write_some(pcb, c->in2, c->length2, room - a, false);
	if (!a && !b) {
		must_wait(c, s);
		return;
	}
	tcp_output(pcb);
	c->done = a + b;
}

static net_error door_send(net_socket socket, const uint8_t *buffer, uint64_t length,
			   net_timeout timeout, uint64_t *sent)
{
	struct call c = {.handle = socket, .in = buffer, .length = length};

	if (!sent || (!buffer && length))
		return LM_ERR_FAULT;
	if (!run(op_send, &c, timeout))
		*sent = c.done;
	return c.err;
}

static net_error door_send_two(net_socket socket, const uint8_t *head, uint64_t head_length,
			       const uint8_t *body, uint64_t body_length, net_timeout timeout,
			       uint64_t *sent)
{
	struct call c = {.handle = socket, .in = head, .length = head_length, .in2 = body,
			 .length2 = body_length};

	if (!sent || (!head && head_length) || (!body && body_length))
		return LM_ERR_FAULT;
	if (!head_length) { /* the body alone */
		c.in = body;
		c.length = body_length;
		c.in2 = NULL;
		c.length2 = 0;
	}
	if (!run(op_send, &c, timeout))
		*sent = c.done;
	return c.err;
}

static void op_shutdown(void *arg)
{
	struct call *c = arg;
	struct sock *s;

	c->err = sock_get_kind(c->handle, KIND_TCP, &s);
	if (c->err)
		return;
	if (c->how != 1 && !s->rx_shut) { /* receiving: drop what waits, and what comes */
		s->rx_shut = true;
		if (s->rx) {
			if (s->pcb.tcp)
				tcp_recved(s->pcb.tcp, s->rx->tot_len);
			pbuf_free(s->rx);
			s->rx = NULL;
		}
	}
	if (c->how != 0 && !s->tx_shut) {
		s->tx_shut = true;
		if (s->pcb.tcp)
			c->err = err_of(tcp_shutdown(s->pcb.tcp, 0, 1));
	}
	net_wake_all(&s->waiters);
}

static net_error door_shutdown(net_socket socket, uint8_t how)
{
	struct call c = {.handle = socket, .how = how};

	if (how > 2)
		return LM_ERR_INVAL;
	return run(op_shutdown, &c, 0);
}

static void op_close(void *arg)
{
	struct call *c = arg;
	struct sock *s, *p;

	c->err = sock_get(c->handle, &s);
	if (c->err)
		return;
	switch (s->kind) {
	case KIND_TCP:
		tcp_release(s);
		break;
	case KIND_LISTEN:
		tcp_arg(s->pcb.tcp, NULL);
		tcp_accept(s->pcb.tcp, NULL);
		tcp_close(s->pcb.tcp);
		while ((p = s->pending)) { /* connections nobody took */
			s->pending = p->next;
			if (p->pcb.tcp) {
				tcp_arg(p->pcb.tcp, NULL);
				tcp_err(p->pcb.tcp, NULL);
				tcp_abort(p->pcb.tcp);
				p->pcb.tcp = NULL;
			}
			if (p->rx)
				pbuf_free(p->rx);
			p->rx = NULL;
			sock_free(p);
		}
		break;
	case KIND_UDP:
		udp_remove(s->pcb.udp);
		for (; s->dq_count; s->dq_count--, s->dq_head++)
			pbuf_free(s->dq[s->dq_head % UDP_QUEUE].p);
		break;
	}
	sock_free(s);
}

static net_error door_close(net_socket socket)
{
	struct call c = {.handle = socket};

	return run(op_close, &c, 0);
}

static void op_local(void *arg)
{
	struct call *c = arg;
	struct sock *s;

	c->err = sock_get(c->handle, &s);
	if (!c->err)
		c->endpoint = s->local;
}

static net_error door_local(net_socket socket, struct net_endpoint *out)
{
	struct call c = {.handle = socket};

	if (!out)
		return LM_ERR_FAULT;
	if (!run(op_local, &c, 0))
		*out = c.endpoint;
	return c.err;
}

static void op_udp_bind(void *arg)
{
	struct call *c = arg;
	struct udp_pcb *pcb;
	struct sock *s;
	ip_addr_t ip;
	err_t e;

	s = sock_open(c, KIND_UDP);
	if (!s)
		return;
	pcb = s->pcb.udp;
	ip_of(&ip, c->ip);
	e = udp_bind(pcb, &ip, c->port);
	if (e != ERR_OK) {
		udp_remove(pcb);
		sock_free(s);
		c->err = err_of(e);
		return;
	}
	endpoint_of(&s->local, &pcb->local_ip, pcb->local_port);
	udp_recv(pcb, on_datagram, s);
	c->out = handle_of(s);
}

static net_error door_udp_bind(net_ipv4 ip, net_port port, net_socket *out)
{
	struct call c = {.ip = ip, .port = port};

	if (!out)
		return LM_ERR_FAULT;
	if (!run(op_udp_bind, &c, 0))
		*out = c.out;
	return c.err;
}

static void op_sendto(void *arg)
{
	struct call *c = arg;
	struct pbuf *p;
	struct sock *s;
	ip_addr_t ip;

	c->err = sock_get_kind(c->handle, KIND_UDP, &s);
	if (c->err)
		return;
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)c->length, PBUF_RAM);
	if (!p) {
		c->err = LM_ERR_NOMEM;
		return;
	}
	pbuf_take(p, c->in, (u16_t)c->length);
	ip_of(&ip, c->ip);
	c->err = err_of(udp_sendto(s->pcb.udp, p, &ip, c->port));
	pbuf_free(p);
}

static net_error door_sendto(net_socket socket, net_ipv4 ip, net_port port, const uint8_t *buffer,
			     uint64_t length)
{
	struct call c = {.handle = socket, .ip = ip, .port = port, .in = buffer, .length = length};

	if (!buffer && length)
		return LM_ERR_FAULT;
	if (length > UDP_MAX)
		return LM_ERR_INVAL;
	return run(op_sendto, &c, 0);
}

static void op_recvfrom(void *arg)
{
	struct call *c = arg;
	struct dgram *d;
	struct sock *s;

	c->err = sock_get_kind(c->handle, KIND_UDP, &s);
	if (c->err)
		return;
	if (!s->dq_count) {
		must_wait(c, s);
		return;
	}
	d = &s->dq[s->dq_head++ % UDP_QUEUE];
	s->dq_count--;
	c->done = c->length < d->p->tot_len ? c->length : d->p->tot_len;
	pbuf_copy_partial(d->p, c->buf, (u16_t)c->done, 0);
	pbuf_free(d->p);
	c->endpoint.ip = d->ip;
	c->endpoint.port = d->port;
}

static net_error door_recvfrom(net_socket socket, uint8_t *buffer, uint64_t length,
			       net_timeout timeout, uint64_t *got, struct net_endpoint *from)
{
	struct call c = {.handle = socket, .buf = buffer, .length = length > 0xffff ? 0xffff : length};

	if (!got || (!buffer && length))
		return LM_ERR_FAULT;
	if (!run(op_recvfrom, &c, timeout)) {
		*got = c.done;
		if (from)
			*from = c.endpoint;
	}
	return c.err;
}

static const struct net_door door = {
	.header = NET_DOOR_HEADER,
	.listen = door_listen,
	.accept = door_accept,
	.connect = door_connect,
	.recv = door_recv,
	.send = door_send,
	.send_two = door_send_two,
	.shutdown = door_shutdown,
	.close = door_close,
	.local = door_local,
	.udp_bind = door_udp_bind,
	.sendto = door_sendto,
	.recvfrom = door_recvfrom,
};

static void read_sockets(void *arg)
{
	*(uint64_t *)arg = open_count;
}

uint64_t net_door_sockets(void)
{
	uint64_t n;

	net_core_run(read_sockets, &n);
	return n;
}

enum lm_err net_door_publish(void)
{
	net_call_stacks_init();
	return lm_door_register(&door.header);
}
