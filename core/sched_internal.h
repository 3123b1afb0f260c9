/*
 * What the scheduler's files share (core/sched.c, core/events.c,
 * core/thread.c) and nothing else may use.
 */
#ifndef CORE_SCHED_INTERNAL_H
#define CORE_SCHED_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct hart;
struct thread;

/* Where a thread was queued and how urgent it is, read before it was
 * queued: from then on another hart may run it, even to its end, so whoever
 * queued it must not touch it again. */
struct woken {
	uint32_t hart;
	unsigned priority;
};

/* core/sched.c */
/* Queue t (at the front of its priority if head); fills *w if w. */
void sched_ready(struct thread *t, bool head, struct woken *w);
/* Give up the hart; cur's state says why. Interrupts off. */
void sched_reschedule(struct thread *cur);
/* Is hart in the main scheduler? */
bool sched_in_scheduler(uint32_t hart);

/* core/events.c */
/* Set bits in t's word and wake it if it waits for one; true if woken. */
bool sched_signal_bits(struct thread *t, uint64_t bits, struct woken *w);
/* Let a thread just queued run now if it is more urgent and here. */
void sched_yield_to(const struct woken *w);

/* core/thread.c */
/* A dead thread's stack, on the hart where it ended, interrupts off. */
void sched_stack_give(struct hart *h, uintptr_t base, unsigned pages);
/* Count a thread in (1) or out (-1) on this hart, interrupts off. */
void sched_count_live(struct hart *h, int64_t delta);

#endif
