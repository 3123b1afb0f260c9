/*
 * The local APIC of each hart (xAPIC, memory mapped): interrupt
 * acknowledgement, inter-processor interrupts and the timer.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* Map the APIC (once) and enable this hart's; masks the legacy 8259 PICs. */
void apic_init_hart(void);
uint32_t apic_id(void);
void apic_eoi(void);
void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void apic_send_init(uint32_t apic_id);
void apic_send_sipi(uint32_t apic_id, uint8_t page);

/* A message-signalled interrupt (PCI MSI and MSI-X) aimed at the local
 * APIC apic_id: the address and data a device writes (fixed delivery,
 * physical destination, edge). */
uint64_t apic_msi_address(uint32_t apic_id);
uint32_t apic_msi_data(uint8_t vector);

/* Timer. With TSC-deadline mode the deadline is a TSC value; otherwise a
 * one-shot count of APIC timer ticks. */
bool apic_has_tsc_deadline(void);
void apic_timer_deadline(uint64_t tsc);
void apic_timer_oneshot(uint32_t ticks);
void apic_timer_stop(void);
/* Bus clock of the APIC timer (divide by 1), measured against the TSC. */
uint32_t apic_timer_calibrate(uint64_t tsc_hz);

#endif
