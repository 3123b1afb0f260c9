/*
 * ICMP echo (ping.c) and the Ping door (ping.idl).
 */
#ifndef LEMMINGS_NET_PING_H
#define LEMMINGS_NET_PING_H

#include <stdint.h>

#include <lemmings/err.h>

/* One echo to ip (host byte order): the round trip in ns, 0 if no reply
 * came within timeout_ns. */
uint64_t net_ping(uint32_t ip, uint64_t timeout_ns);
enum lm_err net_ping_publish(void);

#endif
