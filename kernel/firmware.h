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
 * then the BIOS areas), print a summary and every problem found. Never
 * fails: without usable tables the machine is taken to have one hart. */
void firmware_init(uint32_t boot_apic_id);

#endif
