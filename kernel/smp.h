/*
 * Bringing up the other harts (application processors) and stopping them.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdint.h>

/* Start every hart whose local APIC id is listed (the boot hart's own id is
 * skipped). Each gets its own GDT, TSS, interrupt stacks, hart-local data
 * and idle thread. Reports each hart and how long its start took. */
void smp_start(const uint32_t *apic_ids, uint32_t count);

/* Start the harts the firmware lists (kernel/firmware.c) and put those the
 * sched= boot option names (all by default) in the main scheduler. */
void smp_boot(void);

/* Halt every other hart (panic). */
void smp_stop_others(void);

#endif
