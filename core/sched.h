/*
 * Run queues: one per hart, four strictly ordered priorities, FIFO within a
 * priority. Every operation is O(1): a queue is an intrusive singly linked
 * list with head and tail, and a bitmap says which priorities are non-empty.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdint.h>

#include "arch/spinlock.h"

enum thread_priority {
	PRIO_CRITICAL = 0,
	PRIO_REALTIME = 1,
	PRIO_USER = 2,
	PRIO_REGULAR = 3,
	PRIO_COUNT = 4,
	PRIO_IDLE = 4, /* the per-hart idle thread, below all four */
};

struct thread;

/* A hart's ready threads: the queues are its own (core/sched.c); other
 * harts read count and unpinned, push on inbox and set bits in
 * steal_wanted, all atomically. */
struct runqueue {
	uint32_t nonempty;        /* bit p: queue p has threads */
	uint32_t count;           /* threads in all queues */
	uint32_t unpinned;        /* of which may move to another hart */
	struct {
		struct thread *head, *tail;
	} q[PRIO_COUNT];
	struct thread *inbox;     /* made ready by other harts, newest first */
	uint64_t steal_wanted;    /* bit i: hart i has nothing to do */
};

#endif
