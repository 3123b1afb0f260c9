/*
 * PCI: every function found at boot, and access to its configuration
 * space and memory for the Pci door (kernel/pci_door.c, sdk/idl/pci.idl).
 *
 * pci_init scans every bus of every ECAM window the ACPI MCFG lists (mapped
 * uncached), or, without an MCFG, buses 0-255 through the legacy ports
 * 0xcf8/0xcfc, and prints one line per function (docs/drivers.md). The list
 * is fixed after that: indexes never change.
 *
 * Locking: pci_lock serializes configuration accesses (the legacy ports
 * are an address/data pair); the list is read-only after pci_init.
 */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "kernel/pci_probe.h"

#define PCI_FUNCTIONS_MAX 256

/* Enumerate and print; needs the ACPI tables (firmware_init) and the
 * kernel's page tables. Never fails: without PCI the list is empty. */
void pci_init(void);

uint32_t pci_function_count(void);
/* The function at index i, or NULL. */
const struct pci_function *pci_function_get(uint32_t i);

/* Configuration space of function i: width 1, 2 or 4, offset a multiple of
 * width and below its configuration size. LM_ERR_INVAL for a bad index or
 * width, LM_ERR_RANGE for a bad offset. */
enum lm_err pci_cfg_read(uint32_t i, uint16_t offset, unsigned width, uint32_t *out);
enum lm_err pci_cfg_write(uint32_t i, uint16_t offset, unsigned width, uint32_t value);

/* Set bits in function i's command register (PCI_CMD_*). */
enum lm_err pci_command_set(uint32_t i, uint16_t bits);

/* Map memory BAR bar (its slot number, 0-5) of function i uncached; *va is
 * its first byte. LM_ERR_INVAL if there is no such memory BAR, or what
 * vm_map_mmio says. */
enum lm_err pci_bar_map(uint32_t i, unsigned bar, void **va);

/* The BAR in slot bar of function i, or NULL. */
const struct pci_bar *pci_bar_get(uint32_t i, unsigned bar);

#endif
