/*
 * The I/O APICs: the chips that turn interrupt lines (ISA IRQs, PCI INTx)
 * into messages to a hart's local APIC. Each serves a run of global system
 * interrupts (GSIs) from its gsi_base, one per input pin; the ACPI MADT
 * lists the chips and the ISA IRQs wired to another GSI or with another
 * polarity or trigger mode than ISA's (firmware.overrides).
 *
 * ioapic_init maps every chip the MADT lists, masks every pin and prints
 * what it found; after that a pin changes only through ioapic_route and
 * ioapic_mask, which kernel/irq.c calls for the Irq door.
 *
 * Locking: one lock per chip around its index/data register pair; callers
 * may hold other locks and run with interrupts off.
 */
#ifndef KERNEL_IOAPIC_H
#define KERNEL_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

/* Needs the ACPI tables (firmware_init) and the kernel's page tables. A
 * chip that cannot be mapped is left out with a line in the log. */
void ioapic_init(void);

/* The GSI of ISA IRQ irq (0-15) and how it signals: edge and active high
 * unless an override says otherwise. */
void ioapic_isa_gsi(uint8_t irq, uint32_t *gsi, bool *level, bool *active_low);

/* Does a chip serve gsi? */
bool ioapic_serves(uint32_t gsi);

/* Route gsi to vector on the local APIC apic_id, masked or not.
 * LM_ERR_NOENT if no chip serves gsi. */
enum lm_err ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level,
			 bool active_low, bool masked);
/* Mask or unmask gsi's pin. LM_ERR_NOENT if no chip serves gsi. */
enum lm_err ioapic_mask(uint32_t gsi, bool masked);

#endif
