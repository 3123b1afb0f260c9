/*
 * Message-signalled interrupts of PCI functions: MSI (one message, in the
 * function's capability) and MSI-X (a table of messages in one of its
 * memory BARs, one entry per interrupt source of the device). kernel/intr.c
 * programs them for the Irq door; the message's address and data format is
 * the architecture's (apic_msi_address, apic_msi_data).
 *
 * The capabilities are those pci_probe found at boot (struct
 * pci_function's caps). Configuration space goes through kernel/pci.c's
 * locked accessors; an MSI-X table is mapped uncached with vm_map_mmio.
 *
 * Locking: none of its own: kernel/intr.c calls these under its table lock,
 * so two bindings never program one function's capability at once. A
 * driver writing the same registers through the Pci door meanwhile is the
 * driver's own doing.
 */
#ifndef KERNEL_MSI_H
#define KERNEL_MSI_H

#include <stdint.h>

#include <lemmings/err.h>

/* PCI capability ids. */
#define PCI_CAP_MSI 0x05
#define PCI_CAP_MSIX 0x11

/* Where capability id sits in function func's configuration space; 0 if
 * it has none (or func is not in the list). */
uint8_t msi_cap_offset(uint32_t func, uint8_t id);

/* Point func's MSI (one message) at vector on the local APIC apic_id and
 * enable it; INTx is turned off meanwhile and bus mastering on (a
 * message is a memory write by the device; command register). LM_ERR_INVAL
 * for a function not in the list, LM_ERR_UNSUPPORTED if it has no MSI. */
enum lm_err msi_enable(uint32_t func, uint8_t vector, uint32_t apic_id);
/* Turn func's MSI off and INTx back on. */
void msi_disable(uint32_t func);

/* Entries in func's MSI-X table: LM_ERR_INVAL, LM_ERR_UNSUPPORTED as
 * above; LM_ERR_RANGE if the table does not fit its BAR. */
enum lm_err msix_table_size(uint32_t func, uint32_t *entries);
/* Write entry (address, data, unmasked) and enable MSI-X on func (INTx
 * off, bus mastering and memory decoding on). The
 * first enable masks every entry first (the device may come with garbage
 * in them). LM_ERR_RANGE for an entry past the table; errors of
 * msix_table_size; what vm_map_mmio says. */
enum lm_err msix_enable_entry(uint32_t func, uint32_t entry, uint8_t vector, uint32_t apic_id);
/* Mask entry (its message stays written); MSI-X stays enabled. */
enum lm_err msix_mask_entry(uint32_t func, uint32_t entry);
/* Turn func's MSI-X off and INTx back on (the table is left as it is). */
void msix_disable(uint32_t func);
/* For tests: the entry's four words (address low, high, data, control). */
enum lm_err msix_read_entry(uint32_t func, uint32_t entry, uint32_t words[4]);

#endif
