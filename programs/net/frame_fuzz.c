/*
 * libFuzzer: what programs/net decides about a received frame before lwIP
 * (frame.c), on any bytes. The input is a frame as the Ethernet door would
 * hand it, in a buffer of exactly its size (so that ASan sees any read past
 * it): whether it goes to lwIP must agree with its length alone, and for an
 * IPv4 frame the echo reply check (ping.c's) must read only the packet,
 * decide from its first NET_ECHO_REPLY_MAX bytes alone (all ping.c copies
 * out of a pbuf chain), match only a packet that really holds the header
 * it claims, and never match another identifier or sequence number.
 */
#include <stdlib.h>
#include <string.h>

#include "programs/net/frame.h"

#define CAP (14 + 9216) /* netif.c's receive buffer */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame = malloc(size ? size : 1);
	const uint8_t *ip;
	size_t len;
	uint16_t id, seq;
	bool match;

	memcpy(frame, data, size);
	if (net_frame_acceptable(size, CAP) != (size >= NET_ETH_HEADER && size <= CAP))
		abort();
	if (net_frame_acceptable((uint64_t)CAP + 1 + size, CAP))
		abort(); /* a length past the buffer is never believed */
	if (!net_frame_acceptable(size, CAP) || frame[12] != 0x08 || frame[13] != 0x00) {
		free(frame);
		return 0;
	}
	ip = frame + NET_ETH_HEADER;
	len = size - NET_ETH_HEADER;
	/* The identifier and sequence number a ping would wait for: those of
	 * the packet when it is long enough, so that matches happen. */
	id = len >= 28 ? (uint16_t)(ip[24] << 8 | ip[25]) : 0x4c6d;
	seq = len >= 28 ? (uint16_t)(ip[26] << 8 | ip[27]) : 1;
	match = net_echo_reply_matches(ip, len, id, seq);
	if (match != net_echo_reply_matches(ip, len < NET_ECHO_REPLY_MAX ? len : NET_ECHO_REPLY_MAX,
					    id, seq))
		abort();
	if (match) {
		size_t hlen = (size_t)(ip[0] & 15) * 4;

		if (ip[0] >> 4 != 4 || hlen < 20 || len < hlen + 8 || ip[9] != 1 || ip[hlen] != 0)
			abort();
		if (net_echo_reply_matches(ip, len, (uint16_t)(id ^ 1), seq) ||
		    net_echo_reply_matches(ip, len, id, (uint16_t)(seq + 1)))
			abort();
		if (net_echo_reply_matches(ip, hlen + 7, id, seq))
			abort(); /* one byte short of the echo header */
	}
	free(frame);
	return 0;
}
