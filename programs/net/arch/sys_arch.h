/*
 * lwIP's operating system types on Lemmings (lwIP's arch/sys_arch.h); the
 * functions are in programs/net/sys_arch.c, which says how they work.
 */
#ifndef LEMMINGS_LWIP_SYS_ARCH_H
#define LEMMINGS_LWIP_SYS_ARCH_H

#include <stdint.h>

#include "programs/net/wait.h"

struct sys_sem {
	struct lm_lock lock;
	uint32_t count;
	struct net_waiter *waiters;
	int valid;
};
typedef struct sys_sem sys_sem_t;

/* A mutex is a semaphore that starts at 1. */
typedef struct sys_sem sys_mutex_t;

#define SYS_MBOX_SIZE 256
struct sys_mbox {
	struct lm_lock lock;
	sys_sem_t items, slots;
	uint32_t head, tail;
	void *ring[SYS_MBOX_SIZE];
	int valid;
};
typedef struct sys_mbox sys_mbox_t;

typedef uint64_t sys_thread_t;
typedef int sys_prot_t;

#define sys_sem_valid(s) ((s)->valid)
#define sys_sem_set_invalid(s) ((s)->valid = 0)
#define sys_mutex_valid(s) ((s)->valid)
#define sys_mutex_set_invalid(s) ((s)->valid = 0)
#define sys_mbox_valid(m) ((m)->valid)
#define sys_mbox_set_invalid(m) ((m)->valid = 0)

#endif
