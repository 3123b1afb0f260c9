/*
 * The Net door of the net program (door.c).
 */
#ifndef LEMMINGS_NET_DOOR_H
#define LEMMINGS_NET_DOOR_H

#include <stdint.h>

#include <lemmings/err.h>


enum lm_err net_door_publish(void);
/* Sockets open now (pending connections included). */
uint64_t net_door_sockets(void);

#endif
