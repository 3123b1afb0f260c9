/*
 * Checks of received bytes made by programs/net itself (frame.h). Owns
 * nothing; no state, no locking.
 */
#include "programs/net/frame.h"

#define IP_PROTO_ICMP_ 1
#define ICMP_ECHO_REPLY 0

bool net_frame_acceptable(uint64_t got, size_t cap)
{
	return got >= NET_ETH_HEADER && got <= cap;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool net_echo_reply_matches(const uint8_t *ip, size_t len, uint16_t id, uint16_t seq)
{
	size_t hlen;
	const uint8_t *icmp;

	if (len < 20 || ip[0] >> 4 != 4)
		return false;
	hlen = (size_t)(ip[0] & 15) * 4;
	if (hlen < 20 || len < hlen + 8 || ip[9] != IP_PROTO_ICMP_)
		return false;
	icmp = ip + hlen; /* type, code, checksum, identifier, sequence number */
	return icmp[0] == ICMP_ECHO_REPLY && icmp[1] == 0 && be16(icmp + 4) == id &&
	       be16(icmp + 6) == seq;
}
