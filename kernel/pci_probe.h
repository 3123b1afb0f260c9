/*
 * Reading one PCI function's configuration space: its identity, its BARs
 * (sized by the all-ones probe) and its capability list.
 *
 * Portable: the configuration space is reached through two callbacks, so
 * the kernel uses ECAM or the legacy ports (kernel/pci.c) and the host tests
 * and the fuzzer use a fake device in memory. Nothing read is trusted: a
 * BAR whose size mask is not a power of two is dropped with a warning, a
 * 64-bit BAR in the last slot is dropped, a capability pointer into the
 * header or a looping list ends the walk, with a warning.
 *
 * No allocation, no global state. Locking: the caller keeps others off the
 * function's configuration space while pci_probe_function sizes its BARs
 * (decoding is off for a moment, and the BARs hold all ones).
 */
#ifndef KERNEL_PCI_PROBE_H
#define KERNEL_PCI_PROBE_H

#include <stdbool.h>
#include <stdint.h>

/* Reads or writes the aligned 32-bit word at off (a multiple of 4, below
 * the configuration size). */
typedef uint32_t pci_read32_fn(void *ctx, uint16_t off);
typedef void pci_write32_fn(void *ctx, uint16_t off, uint32_t value);
/* One line saying what was wrong (no newline); may be NULL. */
typedef void pci_warn_fn(void *ctx, const char *message);

struct pci_config {
	pci_read32_fn *read32;
	pci_write32_fn *write32;
	pci_warn_fn *warn;
	void *ctx;
	uint16_t size;          /* 256 (legacy) or 4096 (ECAM) */
};

/* Configuration-space registers the probe and its users name. */
#define PCI_VENDOR 0x00
#define PCI_COMMAND 0x04   /* 16 bits; the status register follows */
#define PCI_CLASS_REV 0x08
#define PCI_HEADER 0x0c    /* byte 2 of this word is the header type */
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM 0x2c /* type 0: vendor (low 16 bits), device (high) */
#define PCI_CAP_PTR 0x34

#define PCI_CMD_IO (1u << 0)
#define PCI_CMD_MEMORY (1u << 1)
#define PCI_CMD_BUS_MASTER (1u << 2)
#define PCI_STATUS_CAPS (1u << 4)

#define PCI_BARS_MAX 6
#define PCI_CAPS_MAX 16     /* capabilities kept; the walk goes on to count */
#define PCI_CAP_WALK_MAX 48 /* (256 - 64) / 4: more means a loop */

enum {
	PCI_BAR_IO = 1 << 0,
	PCI_BAR_64 = 1 << 1,
	PCI_BAR_PREFETCH = 1 << 2,
};

struct pci_bar {
	uint64_t base;     /* the address it decodes (I/O port or memory) */
	uint64_t size;     /* a power of two */
	uint8_t index;     /* 0-5; a 64-bit BAR takes index and index + 1 */
	uint8_t flags;     /* PCI_BAR_* */
};

struct pci_function {
	uint16_t segment;
	uint8_t bus, device, function;
	uint16_t vendor, device_id;
	uint8_t class, subclass, prog_if, revision;
	uint8_t header_type;        /* bits 0-6; bit 7 (multi-function) cleared */
	bool multi_function;
	uint16_t subsystem_vendor, subsystem;   /* type 0 headers; else 0 */
	uint16_t config_size;
	uint8_t bar_count;
	struct pci_bar bars[PCI_BARS_MAX];
	uint8_t cap_count;          /* kept in caps, at most PCI_CAPS_MAX */
	uint8_t caps[PCI_CAPS_MAX]; /* capability ids, in list order */
	uint8_t cap_offsets[PCI_CAPS_MAX];
};

/* Read the function's header, size its BARs (restoring the command
 * register and every BAR afterwards) and walk its capability list into
 * *out (the address fields segment..function are left as they are).
 * False if no function answers (vendor 0xffff or 0). */
bool pci_probe_function(const struct pci_config *c, struct pci_function *out);

/* Short names for the boot log: "network", "msix"; "?" when unknown (the
 * vendor's name: NULL when unknown). */
const char *pci_probe_class_name(uint8_t class);
const char *pci_probe_cap_name(uint8_t id);
const char *pci_probe_vendor_name(uint16_t vendor);

#endif
