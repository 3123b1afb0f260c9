/*
 * What the firmware tells the kernel about the machine: the ACPI tables,
 * read once at boot (kernel/acpi.c parses them; this file reaches physical
 * memory for it and reports what was found).
 */
#ifndef KERNEL_FIRMWARE_H
#define KERNEL_FIRMWARE_H

#include "kernel/acpi.h"

/* Filled by firmware_init; harts.cpu_count is at least 1 afterwards (the
 * boot hart alone when the tables are missing or bad). Read-only later. */
extern struct acpi_info firmware;

/* Find and parse the ACPI tables (the Multiboot 2 copy of the RSDP first,
 * then the BIOS areas), printing every problem found. Nothing acts on
 * them yet: stage acpi's scripts (kernel/stage.c) may still edit what was
 * read. Never fails: without usable tables the machine is taken to have
 * one hart. */
void firmware_read(uint32_t boot_apic_id);

/* After stage acpi: print a summary of the tables as they now are (and
 * fall back to the boot hart alone without a usable MADT). */
void firmware_init(void);

/* Copy len bytes of physical memory (firmware's: reserved ranges are
 * mapped on demand); false if they are not readable. */
bool firmware_read_phys(uint64_t phys, void *buf, size_t len);

/* Edits for stage acpi (docs/quirks.md). Forget the MADT's interrupt
 * source override of ISA IRQ irq: LM_ERR_NOENT if there is none. */
enum lm_err firmware_override_drop(uint32_t irq);

/* Forget the HPET: time_init calibrates against the PIT. */
void firmware_hpet_ignore(void);

#endif
