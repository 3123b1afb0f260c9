/*
 * Bringing up the other harts (application processors) and stopping them.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdint.h>

#include <lemmings/err.h>

/* Start every hart whose local APIC id is listed (the boot hart's own id is
 * skipped). Each gets its own GDT, TSS, interrupt stacks, hart-local data
 * and idle thread. Reports each hart and how long its start took. */
void smp_start(const uint32_t *apic_ids, uint32_t count);

/* Start the harts the firmware lists (kernel/firmware.c), but those kept
 * out; they idle until smp_schedule. */
void smp_boot(void);

/* Put the harts the sched= boot option names (all by default) in the main
 * scheduler. */
void smp_schedule(void);

/* Keep the hart with this APIC id out of the system: smp_boot does not
 * start it (and says so, naming `by`, which must stay valid). Only before
 * smp_boot: LM_ERR_BUSY after; LM_ERR_INVAL for the boot hart's id,
 * LM_ERR_NOENT for an id the firmware does not list as enabled. */
enum lm_err smp_keep_out(uint32_t apic_id, const char *by);

/* Halt every other hart (panic). */
void smp_stop_others(void);

#endif
