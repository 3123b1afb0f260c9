/* The kernel's side of core/platform.h: per-hart set-up. */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

/* Install this hart's handlers for scheduler interrupts (wake-up IPIs). */
void platform_init_hart(void);

#endif
