/*
 * net: the TCP/IP stack of bare Lemmings. lwIP (Debian's source package,
 * built by programs/net/module.mk) on the Ethernet door of a network
 * driver (programs/virtio-net), publishing the Net door, the same door as
 * lemmings-hosted's, and the Ping door. docs/net.md, "On the kernel".
 *
 *     net [then PROGRAM [ARGUMENTS...]]
 *
 * At start: on a system that has a Net door already (lemmings-hosted's,
 * on Linux's sockets) net says so and ends. With no network card there is
 * no Ethernet door: net says so and ends. With one, it waits up to
 * DOOR_WAIT_NS for its driver (started beside it by init) to publish the
 * door, starts lwIP (its thread, the interface, DHCP) and publishes its
 * doors. Then it starts the program after `then` (init's list runs
 * `/bin/net then /bin/httpd 80 /www`), which so finds the Net door there,
 * or, with no card, finds none and says so. Last it waits for the lease,
 * logs the address, pings the gateway once (PING_MS bounds the wait for
 * the reply) and logs the round trip. Then main returns; the doors stay,
 * served by the threads of their callers and lwIP's two threads.
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/clock.h>
#include <lemmings/ethernet.h>
#include <lemmings/loader.h>
#include <lemmings/net.h>
#include <lemmings/pci.h>

#include "lwip/init.h"
#include "lwip/tcpip.h"

#include "programs/net/door.h"
#include "programs/net/netif.h"
#include "programs/net/ping.h"
#include "programs/net/wait.h"
#include "sdk/virtio/virtio_pci_door.h"

#define DOOR_WAIT_NS 30000000000ull
#define LEASE_WAIT_NS 30000000000ull
#define PING_MS 2000
#define ARGS_MAX 200

/* The Ethernet door, waiting for it while a virtio network card is there
 * whose driver has not published it yet. */
static const struct ethernet_door *find_ethernet(void)
{
	const struct ethernet_door *eth = ethernet_door_find();
	const struct pci_door *pci = pci_door_find();
	pci_func func = 0;
	uint64_t start = net_now();

	if (eth || !pci || virtio_pci_door_find(pci, VIRTIO_TYPE_NET, &func))
		return eth;
	while (!(eth = ethernet_door_find()) && net_now() - start < DOOR_WAIT_NS)
		lm_sleep_ns(net_timer, 10000000);
	return eth;
}

/* Start argv[0] with the rest of argv as its arguments, as init would. */
static void start_next(int argc, char **argv)
{
	const struct loader_door *loader = loader_door_find();
	char args[ARGS_MAX + 1] = "", detail[160];
	loader_start_result r;
	size_t used = 0;

	if (!argc)
		return;
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (used + n + 1 > ARGS_MAX) {
			printf("net: the arguments of %s are too long\n", argv[0]);
			return;
		}
		if (used)
			args[used++] = ' ';
		memcpy(args + used, argv[i], n + 1);
		used += n;
	}
	if (!loader) {
		printf("net: no Loader door; cannot start %s\n", argv[0]);
		return;
	}
	r = loader_start(loader, (const uint8_t *)argv[0], (const uint8_t *)args,
			 (uint8_t *)detail, sizeof detail);
	if (loader_start_result_is_error(r))
		printf("net: cannot start %s: %s (%s)\n", argv[0], detail,
		       lm_err_str((enum lm_err)r));
	else
		printf("net: started %s%s%s\n", argv[0], used ? " " : "", args);
}

int main(int argc, char **argv)
{
	const struct ethernet_door *eth;
	enum lm_err err;
	uint64_t rtt;
	uint32_t gw;
	int next = argc; /* argv[next] is the program to start */

	if (argc > 1 && (strcmp(argv[1], "then") || argc < 3)) {
		printf("usage: net [then PROGRAM [ARGUMENTS...]]\n");
		return 2;
	}
	if (argc > 1)
		next = 2;
	net_threads = threads_door_find();
	net_timer = timer_door_find();
	if (!net_threads || !net_timer) {
		printf("net: no Threads or Timer door here; nothing to run on\n");
		return 1;
	}
	if (net_door_find()) {
		printf("net: this system has a Net door already; net ends\n");
		return 0;
	}
	eth = find_ethernet();
	if (!eth) {
		printf("net: no Ethernet door on this system; no network, net ends\n");
		start_next(argc - next, argv + next);
		return 0;
	}
	tcpip_init(NULL, NULL);
	err = net_netif_start(eth);
	if (err) {
		printf("net: cannot start the interface: %s\n", lm_err_str(err));
		return 1;
	}
	err = net_door_publish();
	if (!err)
		err = net_ping_publish();
	if (err) {
		printf("net: cannot publish the Net and Ping doors: %s\n", lm_err_str(err));
		return 1;
	}
	printf("net: lwIP " LWIP_VERSION_STRING " on the Ethernet door; Net and Ping doors "
	       "published; asking DHCP for an address\n");
	start_next(argc - next, argv + next);
	if (!net_netif_wait_lease(LEASE_WAIT_NS)) {
		printf("net: no DHCP lease after 30 s; lwIP keeps asking\n");
		return 0;
	}
	gw = net_netif_gateway();
	if (!gw)
		return 0;
	rtt = net_ping(gw, (uint64_t)PING_MS * 1000000);
	if (rtt)
		printf("net: ping %u.%u.%u.%u: reply in %llu us\n", gw >> 24, gw >> 16 & 255,
		       gw >> 8 & 255, gw & 255, (unsigned long long)(rtt / 1000));
	else
		printf("net: ping %u.%u.%u.%u: no reply within %d ms\n", gw >> 24, gw >> 16 & 255,
		       gw >> 8 & 255, gw & 255, PING_MS);
	return 0;
}
