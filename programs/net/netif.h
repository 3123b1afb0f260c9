/*
 * The network interface: lwIP's netif on the Ethernet door (netif.c).
 */
#ifndef LEMMINGS_NET_NETIF_H
#define LEMMINGS_NET_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>
#include <lemmings/ethernet.h>

/* Add the interface on eth, start its receiving thread and DHCP. Under no
 * lock; lwIP's thread runs (tcpip_init). */
enum lm_err net_netif_start(const struct ethernet_door *eth);

/* The address DHCP gave and the gateway, host byte order; 0 before. */
uint32_t net_netif_address(void);
uint32_t net_netif_gateway(void);

/* Wait up to timeout_ns for a DHCP lease; true when there is one. */
bool net_netif_wait_lease(uint64_t timeout_ns);

#endif
