/*
 * ethtest: the Ethernet door end to end, on QEMU's user network (slirp:
 * the gateway 10.0.2.2 answers ARP, DHCP and pings; nothing leaves the
 * machine). Started with the virtio-net driver from its own program list
 * (tests/ethernet.t, bench/ethernet-bench):
 *
 *   - the door's info (QEMU's default MAC, link up) and its refusals of
 *     bad input;
 *   - sends and receives with unmapped or read-only memory refused
 *     (LM_ERR_FAULT), the caller unharmed;
 *   - an ARP request for 10.0.2.2 and its reply, field by field;
 *   - a DHCP DISCOVER and the OFFER (10.0.2.15, from 10.0.2.2);
 *   - argv[1] (default 10000) ICMP echo requests to 10.0.2.2, up to 64 in
 *     flight, the replies taken by two receiving threads at once: each
 *     sequence number answered exactly once, and the Memory door's free
 *     page count the same before and after;
 *   - a burst of frames no one answers (an unassigned EtherType), for the
 *     send rate.
 *
 * With the argument "broken" (and the driver told to play a broken device,
 * virtio-net hostile=N) it checks instead that the door fails cleanly.
 *
 * Each check prints "ethtest: ok ..." or "ethtest: FAIL ..."; the last
 * line is "ethtest: done, N failures". BENCH lines give frames per second
 * each way and cycles per frame (docs/performance.md).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/clock.h>
#include <lemmings/ethernet.h>
#include <lemmings/memory.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#define WINDOW 64
#define COUNT_MAX 100000
#define BURST 4000
#define FRAME_MAX 2048
#define DEADLINE_NS 150000000000ull /* liveness only: the watchdog's limit */

static const uint8_t qemu_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t me_ip[4] = {10, 0, 2, 15}, gw_ip[4] = {10, 0, 2, 2};

static const struct ethernet_door *eth;
static const struct threads_door *threads;
static const struct timer_door *timer;
static uint8_t mac[6];
static uint32_t mtu;
static int failures;

static void check(int ok, const char *what)
{
	printf("ethtest: %s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

/* ---- frames ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The Internet checksum of len bytes. */
static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += get16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, type);
}

static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* An ARP request for 10.0.2.2, padded to the 60-byte minimum. */
static size_t arp_request(uint8_t *f)
{
	memset(f, 0, 60);
	eth_header(f, broadcast, 0x0806);
	put16(f + 14, 1);      /* Ethernet */
	put16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1); /* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, me_ip, 4);
	memcpy(f + 38, gw_ip, 4);
	return 60;
}

/* An IPv4 header of protocol proto and payload bytes at f + 14. */
static void ip_header(uint8_t *f, uint8_t proto, const uint8_t *src, const uint8_t *dst,
		      size_t payload, uint16_t id)
{
	uint8_t *ip = f + 14;

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + payload));
	put16(ip + 4, id);
	put16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, csum(ip, 20));
}

#define DHCP_XID 0x4c454d4du
#define BOOTP_LEN 300

static size_t dhcp_discover(uint8_t *f)
{
	static const uint8_t zero[4], all[4] = {255, 255, 255, 255};
	uint8_t *udp = f + 34, *b = f + 42;

	memset(f, 0, 42 + BOOTP_LEN);
	eth_header(f, broadcast, 0x0800);
	ip_header(f, 17, zero, all, 8 + BOOTP_LEN, 1);
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, 8 + BOOTP_LEN);
	b[0] = 1; /* request */
	b[1] = 1;
	b[2] = 6;
	put16(b + 4, DHCP_XID >> 16);
	put16(b + 6, DHCP_XID & 0xffff);
	put16(b + 10, 0x8000); /* answer by broadcast */
	memcpy(b + 28, mac, 6);
	b[236] = 99; /* the magic cookie */
	b[237] = 130;
	b[238] = 83;
	b[239] = 99;
	b[240] = 53; /* message type: DISCOVER */
	b[241] = 1;
	b[242] = 1;
	b[243] = 255;
	return 42 + BOOTP_LEN;
}

#define ECHO_ID 0x4c4d
#define ECHO_DATA 32

static size_t echo_request(uint8_t *f, uint16_t seq)
{
	uint8_t *icmp = f + 34;

	eth_header(f, qemu_mac, 0x0800); /* replaced below by the gateway's */
	ip_header(f, 1, me_ip, gw_ip, 8 + ECHO_DATA, seq);
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, ECHO_ID);
	put16(icmp + 6, seq);
	for (unsigned i = 0; i < ECHO_DATA; i++)
		icmp[8 + i] = (uint8_t)(seq + i);
	put16(icmp + 2, csum(icmp, 8 + ECHO_DATA));
	return 34 + 8 + ECHO_DATA;
}

/* The sequence number of an echo reply from the gateway to us, or -1. */
static long echo_reply_seq(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *icmp = f + 34;

	if (len < 34 + 8 + ECHO_DATA || get16(f + 12) != 0x0800 || ip[9] != 1 ||
	    memcmp(ip + 12, gw_ip, 4) || memcmp(ip + 16, me_ip, 4) || icmp[0] != 0 ||
	    get16(icmp + 4) != ECHO_ID || csum(icmp, 8 + ECHO_DATA) != 0)
		return -1;
	for (unsigned i = 0; i < ECHO_DATA; i++)
		if (icmp[8 + i] != (uint8_t)(get16(icmp + 6) + i))
			return -1;
	return get16(icmp + 6);
}

/* ---- checks ---- */

static uint8_t rx[FRAME_MAX], tx[FRAME_MAX];
static uint8_t gw_mac[6];

static void door_and_bad_input(void)
{
	struct ethernet_link_info li;
	uint64_t got;

	check(ethernet_info(eth, &li) == LM_OK, "info");
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)(li.mac >> (8 * i));
	mtu = li.mtu;
	printf("ethtest: mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, link %s\n", mac[0], mac[1],
	       mac[2], mac[3], mac[4], mac[5], mtu, li.link ? "up" : "down");
	check(!memcmp(mac, qemu_mac, 6), "the MAC is QEMU's default 52:54:00:12:34:56");
	check(mtu == 1500 && li.link == 1, "mtu 1500, link up");
	check(ethernet_info(eth, NULL) == LM_ERR_INVAL, "info to NULL: invalid");
	check(ethernet_send(eth, NULL, 60) == LM_ERR_INVAL, "send from NULL: invalid");
	check(ethernet_send(eth, (const uint8_t *)~0xfffull, 8192) == LM_ERR_INVAL,
	      "send of a range that wraps: invalid");
	check(ethernet_send(eth, tx, 13) == LM_ERR_RANGE, "send of 13 bytes: out of range");
	check(ethernet_send(eth, tx, 14 + mtu + 1) == LM_ERR_RANGE,
	      "send of 14 + mtu + 1 bytes: out of range");
	check(ethernet_receive(eth, rx, 14 + mtu - 1, &got) == LM_ERR_RANGE,
	      "receive into a buffer shorter than 14 + mtu: out of range");
	check(ethernet_receive(eth, NULL, 4096, &got) == LM_ERR_INVAL, "receive into NULL: invalid");
	check(ethernet_receive(eth, rx, sizeof rx, NULL) == LM_ERR_INVAL,
	      "receive with a NULL length: invalid");
	check(ethernet_counters(eth, NULL) == LM_ERR_INVAL, "counters to NULL: invalid");
}

/* Memory that is not mapped, and memory that is mapped read-only (this
 * program's own text): the door refuses both before it touches them. */
#define UNMAPPED 0x10000

static void unmapped_pointer(void)
{
	uint64_t got;

	check(ethernet_send(eth, (const uint8_t *)UNMAPPED, 60) == LM_ERR_FAULT,
	      "send from unmapped memory: a fault refused");
	check(ethernet_receive(eth, (uint8_t *)UNMAPPED, 4096, &got) == LM_ERR_FAULT,
	      "receive into unmapped memory: a fault refused");
	check(ethernet_receive(eth, (uint8_t *)(uintptr_t)unmapped_pointer, 4096, &got) ==
		      LM_ERR_FAULT,
	      "receive into read-only memory (program text): a fault refused");
}

/* Send tx's first length bytes, then receive into rx until match says
 * yes (at most 100 frames); each step checked under its name. */
static int exchange(size_t length, const char *sent, int (*match)(const uint8_t *, size_t),
		    const char *received, size_t *len)
{
	int ok = 0;

	check(ethernet_send(eth, tx, length) == LM_OK, sent);
	for (int i = 0; i < 100 && !ok; i++) {
		uint64_t got = 0;

		if (ethernet_receive(eth, rx, sizeof rx, &got) != LM_OK)
			break;
		ok = match(rx, got);
		*len = got;
	}
	check(ok, received);
	return ok;
}

static int is_arp_reply(const uint8_t *f, size_t len)
{
	return len >= 42 && get16(f + 12) == 0x0806 && get16(f + 20) == 2;
}

static void arp(void)
{
	size_t len = 0;

	if (!exchange(arp_request(tx), "ARP request for 10.0.2.2 sent", is_arp_reply,
		      "an ARP reply received", &len))
		return;
	memcpy(gw_mac, rx + 22, 6);
	check(!memcmp(rx, mac, 6) && !memcmp(rx + 6, gw_mac, 6),
	      "the reply is to our MAC, from the sender it names");
	check(get16(rx + 14) == 1 && get16(rx + 16) == 0x0800 && rx[18] == 6 && rx[19] == 4,
	      "the reply is Ethernet/IPv4");
	check(!memcmp(rx + 28, gw_ip, 4) && !memcmp(rx + 32, mac, 6) && !memcmp(rx + 38, me_ip, 4),
	      "10.0.2.2 is at the sender's MAC, told to 10.0.2.15 at ours");
	check(memcmp(gw_mac, broadcast, 6) && (gw_mac[0] & 1) == 0,
	      "the gateway's MAC is a unicast address");
	printf("ethtest: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", gw_mac[0], gw_mac[1],
	       gw_mac[2], gw_mac[3], gw_mac[4], gw_mac[5]);
}

static int is_dhcp_reply(const uint8_t *f, size_t len)
{
	return len >= 42 + 244 && get16(f + 12) == 0x0800 && f[23] == 17 && get16(f + 34) == 67 &&
	       get16(f + 36) == 68;
}

/* The value of DHCP option code in the reply at b (its first byte), or -1. */
static int dhcp_option(const uint8_t *b, size_t len, uint8_t code, const uint8_t **value)
{
	size_t at = 240;

	while (at < len && b[at] != 255) {
		if (b[at] == 0) {
			at++;
			continue;
		}
		if (at + 2 > len || at + 2 + b[at + 1] > len)
			return -1;
		if (b[at] == code) {
			*value = b + at + 2;
			return b[at + 1];
		}
		at += 2 + b[at + 1];
	}
	return -1;
}

static void dhcp(void)
{
	const uint8_t *b = rx + 42, *v = NULL;
	size_t len = 0;

	if (!exchange(dhcp_discover(tx), "DHCP DISCOVER sent", is_dhcp_reply,
		      "a DHCP reply received (UDP 67 to 68)", &len))
		return;
	check(b[0] == 2 && get16(b + 4) == DHCP_XID >> 16 && get16(b + 6) == (DHCP_XID & 0xffff),
	      "a BOOTP reply with our transaction id");
	check(!memcmp(b + 28, mac, 6), "for our MAC");
	check(!memcmp(b + 16, me_ip, 4), "offering 10.0.2.15");
	check(b[236] == 99 && b[237] == 130 && b[238] == 83 && b[239] == 99, "the magic cookie");
	check(dhcp_option(b, len - 42, 53, &v) == 1 && v[0] == 2, "message type OFFER");
	check(dhcp_option(b, len - 42, 54, &v) == 4 && !memcmp(v, gw_ip, 4),
	      "from the server 10.0.2.2");
}

/* ---- many echoes ---- */

static unsigned count;
static uint8_t seen[COUNT_MAX];
static unsigned replies, twice, others, recv_errors, finished_threads;
static threads_thread sender;
static uint8_t rx_bufs[2][FRAME_MAX];

static void receiver(uintptr_t i)
{
	for (;;) {
		uint64_t got = 0;
		long seq;

		if (ethernet_receive(eth, rx_bufs[i], FRAME_MAX, &got) != LM_OK) {
			__atomic_fetch_add(&recv_errors, 1, __ATOMIC_RELAXED);
			break;
		}
		seq = echo_reply_seq(rx_bufs[i], got);
		if (seq < 0 || (unsigned)seq >= count) {
			__atomic_fetch_add(&others, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (__atomic_exchange_n(&seen[seq], 1, __ATOMIC_RELAXED))
			__atomic_fetch_add(&twice, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&replies, 1, __ATOMIC_RELEASE);
		threads_signal(threads, sender, 2);
	}
	__atomic_fetch_add(&finished_threads, 1, __ATOMIC_RELAXED);
}

static bool echoes_over;

static void watchdog(uintptr_t unused)
{
	lm_sleep_ns(timer, DEADLINE_NS);
	if (!__atomic_load_n(&echoes_over, __ATOMIC_ACQUIRE))
		printf("ethtest: FAIL watchdog: %u echo replies of %u after %llu s\n",
	       __atomic_load_n(&replies, __ATOMIC_RELAXED), count,
	       (unsigned long long)(DEADLINE_NS / 1000000000ull));
}

static uint64_t free_pages(const struct memory_door *m)
{
	struct memory_info info = {0};

	return memory_query(m, &info) == LM_OK ? info.free_pages : 0;
}

/* Two BENCH lines: frames per second, and cycles per frame. */
static void bench(const char *rate, const char *each, uint64_t frames, uint64_t ns,
		  uint64_t cycles)
{
	if (!ns || !frames)
		return;
	printf("BENCH ethernet.%s %llu frames/s\nBENCH ethernet.%s.cycles %llu cycles\n", rate,
	       (unsigned long long)(frames * 1000000000ull / ns), each,
	       (unsigned long long)(cycles / frames));
}

static void echoes(void)
{
	const struct memory_door *m = memory_door_find();
	threads_current_result me = threads_current(threads);
	struct ethernet_stats before, after;
	uint64_t pages_before, pages_after, t0, ns, c0, cycles;
	unsigned sent = 0;
	char line[160];

	if (!m || !threads_current_result_is_thread(me)) {
		check(0, "the Memory and Threads doors are there");
		return;
	}
	sender = (threads_thread)me;
	for (uintptr_t i = 0; i < 2; i++)
		if (!threads_spawn_result_is_thread(threads_spawn(threads, receiver, i, 2, 2,
			    (threads_name)(uintptr_t)"ethtest receiver"))) {
			check(0, "two receiving threads");
			return;
		}
	threads_spawn(threads, watchdog, 0, 2, 1, (threads_name)(uintptr_t)"ethtest watchdog");
	ethernet_counters(eth, &before);
	pages_before = free_pages(m);
	t0 = timer_now(timer);
	c0 = lm_cycles();
	while (sent < count) {
		if (sent - __atomic_load_n(&replies, __ATOMIC_ACQUIRE) >= WINDOW) {
			threads_wait(threads, 2);
			continue;
		}
		echo_request(tx, (uint16_t)sent);
		memcpy(tx, gw_mac, 6);
		if (ethernet_send(eth, tx, 34 + 8 + ECHO_DATA) != LM_OK)
			break;
		sent++;
	}
	while (__atomic_load_n(&replies, __ATOMIC_ACQUIRE) < sent)
		threads_wait(threads, 2);
	ns = timer_now(timer) - t0;
	cycles = lm_cycles() - c0;
	__atomic_store_n(&echoes_over, true, __ATOMIC_RELEASE);
	pages_after = free_pages(m);
	ethernet_counters(eth, &after);
	snprintf(line, sizeof line, "%u echo requests sent to 10.0.2.2, 64 in flight", count);
	check(sent == count, line);
	snprintf(line, sizeof line, "%u replies, each sequence number once (%u twice, %u others)",
		 replies, twice, others);
	check(replies == count && !twice, line);
	snprintf(line, sizeof line, "free pages %llu before and %llu after: none leaked",
		 (unsigned long long)pages_before, (unsigned long long)pages_after);
	check(pages_before && pages_before == pages_after, line);
	check(after.sent_frames - before.sent_frames == count &&
		      after.received_frames - before.received_frames == count + others &&
		      after.drops == before.drops && after.errors == before.errors && !recv_errors,
	      "the counters agree: frames sent and received, no drops, no errors");
	check(after.sent_bytes - before.sent_bytes == (uint64_t)count * (34 + 8 + ECHO_DATA),
	      "bytes sent counted");
	bench("echo_replies_per_s", "echo_round_trip", replies, ns, cycles);
}

/* Frames no one answers (EtherType 0x88b5, for local experiments), sent
 * back to back: how fast the door hands frames to the device. */
static void burst(void)
{
	uint64_t t0, c0, ns, cycles;
	unsigned sent = 0;

	memset(tx, 0, 60);
	eth_header(tx, broadcast, 0x88b5);
	t0 = timer_now(timer);
	c0 = lm_cycles();
	while (sent < BURST && ethernet_send(eth, tx, 60) == LM_OK)
		sent++;
	ns = timer_now(timer) - t0;
	cycles = lm_cycles() - c0;
	check(sent == BURST, "a burst of 4000 frames handed to the device");
	bench("send_frames_per_s", "send", sent, ns, cycles);
}

/* With the driver started as virtio-net hostile=N: ARP exchanges until
 * the door fails, then every call fails the same way, the link is down,
 * the errors are counted, and this program goes on. */
static void broken_device(void)
{
	struct ethernet_link_info li = {0};
	struct ethernet_stats st = {0};
	enum lm_err err = LM_OK;
	uint64_t got;
	unsigned rounds;
	char line[120];

	for (rounds = 0; rounds < 1000; rounds++) {
		if ((err = ethernet_send(eth, tx, arp_request(tx))) != LM_OK)
			break;
		if ((err = ethernet_receive(eth, rx, sizeof rx, &got)) != LM_OK)
			break;
	}
	snprintf(line, sizeof line, "after %u exchanges the door says: %s", rounds, lm_err_str(err));
	check(err == LM_ERR_IO, line);
	check(ethernet_send(eth, tx, arp_request(tx)) == LM_ERR_IO, "a send then: I/O error");
	check(ethernet_receive(eth, rx, sizeof rx, &got) == LM_ERR_IO, "a receive then: I/O error");
	check(ethernet_info(eth, &li) == LM_OK && li.link == 0, "info then: the link is down");
	check(ethernet_counters(eth, &st) == LM_OK && st.errors >= 3,
	      "the counters count the refused calls");
}

int main(int argc, char **argv)
{
	uint64_t start;

	bool broken = argc > 1 && !strcmp(argv[1], "broken");

	count = argc > 1 ? (unsigned)strtol(argv[1], NULL, 10) : 10000;
	if (count == 0 || count > COUNT_MAX)
		count = 10000;
	threads = threads_door_find();
	timer = timer_door_find();
	if (!threads || !timer) {
		printf("ethtest: FAIL no Threads or Timer door\n");
		return 1;
	}
	/* The driver starts beside us: give it 30 s to publish its door. */
	start = timer_now(timer);
	while (!(eth = ethernet_door_find()) && timer_now(timer) - start < 30000000000ull)
		lm_sleep_ns(timer, 10000000);
	if (!eth) {
		printf("ethtest: FAIL no Ethernet door after 30 s\n");
		return 1;
	}
	door_and_bad_input();
	if (broken) {
		broken_device();
		printf("ethtest: done, %d failures\n", failures);
		return 0;
	}
	unmapped_pointer();
	arp();
	dhcp();
	if (!failures)
		echoes();
	if (!failures)
		burst();
	printf("ethtest: done, %d failures\n", failures);
	return 0;
}
