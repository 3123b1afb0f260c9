/*
 * The watchdog: a thread that looks at every hart once a second and says,
 * on the console, when one thread has kept a hart for a long time while
 * others wait there (threads of one priority are not time-sliced, so a
 * thread that spins never gives way to its equals).
 */
#ifndef KERNEL_WATCHDOG_H
#define KERNEL_WATCHDOG_H

#include <stdint.h>

/* Start the watchdog thread (boot option watchdog=<seconds>, 0 = off). */
void watchdog_start(void);

/* One look at every hart at time now (ns): report each thread that has been
 * current on its hart, with threads waiting behind it, for at least
 * after_ns (once per thread and stretch). Returns how many it reported. */
unsigned watchdog_scan(uint64_t now, uint64_t after_ns);

/* Reports so far, and the id of the last thread reported. */
uint64_t watchdog_reports(void);
uint64_t watchdog_last_thread(void);

#endif
