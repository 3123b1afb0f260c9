/*
 * Sleeping: threads wait for events with a deadline. Each hart keeps the
 * threads that sleep on it in a list sorted by deadline and arms its timer
 * interrupt for the earliest.
 */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include <stdint.h>

/* Wait for any bit of mask, or until the clock reaches deadline (ns).
 * Returns the bits (cleared), or 0 if the deadline came first. */
uint64_t timer_wait_until(uint64_t mask, uint64_t deadline);
void timer_sleep_until(uint64_t deadline);
void timer_sleep_ns(uint64_t ns);

/* Arm this hart's timer for deadline, or for its earliest sleeper if that
 * comes first (a time slice: kernel/aspace.c, for ring 3 code, which
 * nothing else would interrupt). Interrupts off. The next expiry arms the
 * timer for the sleepers alone again. */
void timer_arm_slice(uint64_t deadline);

/* The platform's timer interrupt: wake every sleeper whose deadline is <= now
 * on this hart, and arm the timer for the next one. */
void timer_expire(uint64_t now);

#endif
