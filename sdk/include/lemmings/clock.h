/*
 * Time for programs: the CPU's cycle counter, for measuring, and a sleep on
 * the Timer door.
 */
#ifndef LEMMINGS_CLOCK_H
#define LEMMINGS_CLOCK_H

#include <stdint.h>

#include <lemmings/err.h>

struct timer_door;

/* The time-stamp counter, after every earlier instruction has finished
 * (lfence), so that what is measured is not still running. */
static inline uint64_t lm_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Sleep ns nanoseconds on a timer of the Timer door, made for the call and
 * given back: LM_OK, or why no timer could be had (then it returns at
 * once). */
enum lm_err lm_sleep_ns(const struct timer_door *timer, uint64_t ns);

#endif
