/*
 * lwIP's network interface on the Ethernet door: frames out through the
 * door's send, frames in from a thread that waits in its receive, the
 * address from DHCP.
 *
 * Owns the netif, the transmit frame (used under lwIP's core lock, so one
 * is enough), the receive frame (the receiving thread's own) and the
 * lease (written under the core lock, read with atomic loads).
 *
 * The receiving thread copies each frame into a pbuf of lwIP's pool and
 * hands it to tcpip_input, which (LWIP_TCPIP_CORE_LOCKING_INPUT) takes the
 * core lock and runs lwIP's input on this thread, whose stack is
 * RX_STACK_PAGES pages. A frame that finds the pool empty is dropped and
 * counted, as a card drops what it has no buffer for; TCP sends it again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <lemmings/clock.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "programs/net/core.h"
#include "programs/net/frame.h"
#include "programs/net/netif.h"
#include "programs/net/wait.h"

#define FRAME_MAX (14 + 9216)    /* a header and the largest MTU we take */
#define LWIP_MTU 1500            /* what lwIP sends, whatever the card allows */
#define RX_STACK_PAGES 8

static const struct ethernet_door *eth;
static struct netif nif;
static uint8_t tx_frame[14 + LWIP_MTU];
static uint8_t rx_frame[FRAME_MAX];
static uint32_t address, gateway;
static uint64_t rx_dropped;
static struct ethernet_link_info link;

uint32_t net_netif_address(void)
{
	return __atomic_load_n(&address, __ATOMIC_ACQUIRE);
}

uint32_t net_netif_gateway(void)
{
	return __atomic_load_n(&gateway, __ATOMIC_ACQUIRE);
}

bool net_netif_wait_lease(uint64_t timeout_ns)
{
	uint64_t end = net_now() + timeout_ns;

	while (!net_netif_address() && net_now() < end)
		lm_sleep_ns(net_timer, 10000000);
	return net_netif_address() != 0;
}

/* Under the core lock: one frame, copied whole into tx_frame, then sent. */
static err_t link_output(struct netif *n, struct pbuf *p)
{
	ethernet_status st;

	if (p->tot_len > sizeof tx_frame)
		return ERR_BUF;
	pbuf_copy_partial(p, tx_frame, p->tot_len, 0);
	st = ethernet_send(eth, tx_frame, p->tot_len);
	return st ? ERR_IF : ERR_OK;
}

static err_t link_init(struct netif *n)
{
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->output = etharp_output;
	n->linkoutput = link_output;
	n->mtu = link.mtu < LWIP_MTU ? (u16_t)link.mtu : LWIP_MTU;
	n->hwaddr_len = ETH_HWADDR_LEN;
	for (int i = 0; i < ETH_HWADDR_LEN; i++)
		n->hwaddr[i] = (u8_t)(link.mac >> (8 * i));
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	return ERR_OK;
}

/* Under the core lock, when the address changes: log the lease. */
static void status_changed(struct netif *n)
{
	uint32_t a = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(n)));
	uint32_t m = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(n)));
	uint32_t g = lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(n)));

	if (!a || a == net_netif_address())
		return;
	__atomic_store_n(&gateway, g, __ATOMIC_RELEASE);
	__atomic_store_n(&address, a, __ATOMIC_RELEASE);
	printf("net: DHCP lease %u.%u.%u.%u netmask %u.%u.%u.%u gateway %u.%u.%u.%u\n",
	       a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, m >> 24, m >> 16 & 255,
	       m >> 8 & 255, m & 255, g >> 24, g >> 16 & 255, g >> 8 & 255, g & 255);
}

static void receive_thread(uintptr_t arg)
{
	(void)arg;
	for (;;) {
		uint64_t got = 0;
		ethernet_status st = ethernet_receive(eth, rx_frame, sizeof rx_frame, &got);
		struct pbuf *p;

		if (st) {
			printf("net: the Ethernet door's receive failed (%s); receiving stops\n",
			       lm_err_str((enum lm_err)st));
			return;
		}
		if (!net_frame_acceptable(got, sizeof rx_frame))
			continue;
		p = pbuf_alloc(PBUF_RAW, (u16_t)got, PBUF_POOL);
		if (!p) {
			rx_dropped++;
			continue;
		}
		pbuf_take(p, rx_frame, (u16_t)got);
		if (nif.input(p, &nif) != ERR_OK)
			pbuf_free(p);
	}
}

static void start_dhcp(void *arg)
{
	(void)arg;
	netif_add(&nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, link_init, tcpip_input);
	netif_set_default(&nif);
	netif_set_status_callback(&nif, status_changed);
	netif_set_up(&nif);
	netif_set_link_up(&nif); /* link changes are not followed (docs/net.md) */
	dhcp_start(&nif);
}

enum lm_err net_netif_start(const struct ethernet_door *door)
{
	threads_spawn_result t;
	ethernet_status st;

	eth = door;
	st = ethernet_info(eth, &link);
	if (st)
		return (enum lm_err)st;
	net_core_run(start_dhcp, NULL);
	t = threads_spawn(net_threads, receive_thread, 0, 2, RX_STACK_PAGES,
			  (threads_name)(uintptr_t)"net receive");
	return threads_spawn_result_is_thread(t) ? LM_OK : (enum lm_err)t;
}
