/*
 * ICMP echo from inside (the Ping door, ping.idl): one request at a time,
 * on a raw ICMP pcb of lwIP.
 *
 * Owns the raw pcb, the request in flight (its id, sequence number, send
 * time) and the reply's time. Locking: one caller at a time (ping_lock);
 * the fields the reply callback reads and writes are under lwIP's core
 * lock, as the callback runs.
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/ping.h>

#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/prot/icmp.h"
#include "lwip/memp.h"
#include "lwip/raw.h"
#include "lwip/stats.h"

#include "programs/net/core.h"
#include "programs/net/door.h"
#include "programs/net/frame.h"
#include "programs/net/ping.h"
#include "programs/net/wait.h"

#define PING_ID 0x4c6d /* "Lm" */
#define PING_DATA 32

static struct lm_lock ping_lock;
static struct raw_pcb *pcb;
static uint16_t seq;
static uint64_t sent_at, reply_ns;
static struct net_waiter *waiter;

/* Under the core lock: a reply to the request in flight ends the wait.
 * The packet's first bytes are copied out of the pbuf chain and judged by
 * net_echo_reply_matches (frame.c, fuzzed on the host). */
static u8_t on_icmp(void *arg, struct raw_pcb *p, struct pbuf *q, const ip_addr_t *addr)
{
	uint8_t head[NET_ECHO_REPLY_MAX];
	u16_t len = pbuf_copy_partial(q, head, q->tot_len < sizeof head ? q->tot_len : sizeof head, 0);

	if (!net_echo_reply_matches(head, len, PING_ID, seq))
		return 0; /* not ours: lwIP's ICMP sees it as usual */
	if (!reply_ns) {
		reply_ns = net_now() - sent_at;
		if (!reply_ns)
			reply_ns = 1;
		if (waiter) {
			net_wake_all(&waiter);
		}
	}
	pbuf_free(q);
	return 1;
}

struct ping_call {
	uint32_t ip;
	struct net_waiter *w;
	bool sent;
};

static void send_request(void *arg)
{
	struct ping_call *c = arg;
	struct icmp_echo_hdr *h;
	struct pbuf *p;
	ip_addr_t to;

	if (!pcb) {
		pcb = raw_new(IP_PROTO_ICMP);
		if (!pcb)
			return;
		raw_recv(pcb, on_icmp, NULL);
		raw_bind(pcb, IP_ADDR_ANY);
	}
	p = pbuf_alloc(PBUF_IP, sizeof *h + PING_DATA, PBUF_RAM);
	if (!p)
		return;
	h = p->payload;
	ICMPH_TYPE_SET(h, ICMP_ECHO);
	ICMPH_CODE_SET(h, 0);
	h->id = lwip_htons(PING_ID);
	h->seqno = lwip_htons(++seq);
	for (int i = 0; i < PING_DATA; i++)
		((uint8_t *)(h + 1))[i] = (uint8_t)('a' + i % 26);
	h->chksum = 0;
	h->chksum = inet_chksum(h, (u16_t)(sizeof *h + PING_DATA));
	ip_addr_set_ip4_u32(&to, lwip_htonl(c->ip));
	reply_ns = 0;
	waiter = NULL;
	net_waiter_add(&waiter, c->w);
	sent_at = net_now();
	c->sent = raw_sendto(pcb, p, &to) == ERR_OK;
	if (!c->sent)
		waiter = NULL;
	pbuf_free(p);
}

static void finish(void *arg)
{
	struct ping_call *c = arg;

	net_waiter_remove(&waiter, c->w);
	seq++; /* a late reply to this request is no longer ours */
}

uint64_t net_ping(uint32_t ip, uint64_t timeout_ns)
{
	struct ping_call c = {.ip = ip};
	struct net_waiter w;
	uint64_t rtt;

	lm_lock(&ping_lock);
	net_waiter_init(&w, net_now() + timeout_ns);
	c.w = &w;
	net_core_run(send_request, &c);
	if (c.sent)
		while (!net_waiter_sleep(&w) && net_now() < w.deadline)
			;
	net_core_run(finish, &c);
	rtt = c.sent ? __atomic_load_n(&reply_ns, __ATOMIC_RELAXED) : 0;
	net_waiter_done(&w);
	lm_unlock(&ping_lock);
	return rtt;
}

static uint64_t door_echo(uint32_t ip, uint32_t timeout_ms)
{
	if (!timeout_ms || timeout_ms > 60000)
		return 0;
	return net_ping(ip, (uint64_t)timeout_ms * 1000000);
}

/* lwIP's allocation counts (lwipopts.h turns on MEM_STATS and
 * MEMP_STATS only), read under the core lock. */
struct usage {
	uint64_t heap, pools;
};

static void read_usage(void *arg)
{
	struct usage *u = arg;

	u->heap = lwip_stats.mem.used;
	u->pools = 0;
	for (int i = 0; i < MEMP_MAX; i++)
		if (i != MEMP_SYS_TIMEOUT)
			u->pools += lwip_stats.memp[i]->used;
}

static uint64_t door_heap_used(void)
{
	struct usage u;

	net_core_run(read_usage, &u);
	return u.heap;
}

static uint64_t door_pool_used(void)
{
	struct usage u;

	net_core_run(read_usage, &u);
	return u.pools;
}

static const struct ping_door door = {
	.header = PING_DOOR_HEADER,
	.echo = door_echo,
	.sockets = net_door_sockets,
	.heap_used = door_heap_used,
	.pool_used = door_pool_used,
};

enum lm_err net_ping_publish(void)
{
	lm_lock_init(&ping_lock, net_threads, net_timer);
	return lm_door_register(&door.header);
}
