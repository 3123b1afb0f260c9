/*
 * What programs/net decides about received bytes on its own, before or
 * beside lwIP: whether a frame from the Ethernet door goes to lwIP at all
 * (netif.c), and whether an IPv4 packet is the ICMP echo reply a ping waits
 * for (ping.c). Portable and pure, so that a host fuzzer (frame_fuzz.c)
 * runs the very code the kernel's stack runs.
 */
#ifndef LEMMINGS_NET_FRAME_H
#define LEMMINGS_NET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ETH_HEADER 14
#define NET_ECHO_REPLY_MAX (60 + 8) /* the longest IPv4 header, an ICMP echo header */

/* A frame of got bytes the door wrote into a buffer of cap bytes: lwIP gets
 * it only if it holds an Ethernet header and fits the buffer (a door that
 * says more than it could write is not believed). */
bool net_frame_acceptable(uint64_t got, size_t cap);

/* Whether the first len bytes of an IPv4 packet (at most
 * NET_ECHO_REPLY_MAX are needed) are an ICMP echo reply with this
 * identifier and sequence number (host byte order): version 4, a header
 * length of 20 to 60 bytes that len covers with the echo header after it,
 * protocol 1, type 0, code 0. Reads nothing past len. */
bool net_echo_reply_matches(const uint8_t *ip, size_t len, uint16_t id, uint16_t seq);

#endif
