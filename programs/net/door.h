/*
 * The Net door of the net program (door.c).
 */
#ifndef LEMMINGS_NET_DOOR_H
#define LEMMINGS_NET_DOOR_H

#include <stdint.h>

#include <lemmings/err.h>

struct net_door_stats {
	uint64_t open;         /* sockets open (pending connections included) */
	uint64_t accepted;     /* connections taken by accept */
	uint64_t refused;      /* connections dropped: backlog full or no socket free */
	uint64_t udp_dropped;  /* datagrams dropped: a full queue */
	uint64_t sent_bytes;   /* queued by send and send_two */
};

enum lm_err net_door_publish(void);
void net_door_stats(struct net_door_stats *out);

#endif
