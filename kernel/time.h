/*
 * Time: a monotonic nanosecond clock from the TSC, calibrated at boot
 * against the PIT, and per-hart one-shot timer interrupts from the local
 * APIC (TSC-deadline mode when the CPU has it).
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

void time_init(void);       /* boot hart: calibrate */
void time_init_hart(void);  /* every hart: its timer interrupt */
uint64_t time_now_ns(void);
uint64_t time_tsc_hz(void);
/* Interrupt at (or soon after) the given time on this hart; 0 cancels. */
void time_arm(uint64_t deadline_ns);
const char *time_timer_mode(void);
/* What the TSC was calibrated against: "the HPET" or "the PIT". */
const char *time_calibration(void);

#endif
