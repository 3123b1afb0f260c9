/*
 * Device interrupts as events: a binding ties one interrupt source to one
 * event bit of one thread (named by its handle, core/handle.h). The
 * handler does three things and nothing else: for a level-triggered line
 * it masks the line, it signals the bit (thread_signal_handle), and it
 * acknowledges the interrupt to the local APIC. The thread waits with the
 * ordinary thread_wait; its driver silences the device and, for a level
 * line, calls intr_unmask. The Irq door (kernel/irq_door.c, sdk/idl/irq.idl)
 * is this file's interface for programs; docs/drivers.md, "Interrupts".
 *
 * Sources: an ISA IRQ (through the MADT overrides) or a GSI with its mode,
 * a PCI function's INTx (the line firmware assigned, level, active low),
 * its MSI, or one entry of its MSI-X table. Each binding gets a vector of
 * its own from a pool (INTR_VECTOR_FIRST..INTR_VECTOR_LAST), handed out
 * round robin so that a vector just freed is the last to be reused, and a
 * hart: the caller's choice, or round robin over the harts.
 *
 * A binding is named by an id, (generation << 8) | slot, so that the id
 * of an unbound binding names nothing even when its slot is reused.
 *
 * Locking: irq_lock (a table lock) serializes binding, unbinding and the
 * programming of the hardware; each binding's own lock is all the handler
 * takes, against an unbind or unmask on another hart. Both with interrupts
 * off. Order: table, binding, I/O APIC chip, then (in the handler only)
 * the thread's handle slot.
 */
#ifndef KERNEL_INTR_H
#define KERNEL_INTR_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#define INTR_BINDINGS_MAX 64
#define INTR_VECTOR_FIRST 0x30
#define INTR_VECTOR_LAST 0xef /* below the kernel's own (VEC_TIMER and up) */
#define INTR_HART_ANY 0xffffffffu
#define INTR_BIT_MAX 60 /* bits 61-63 are the system's (core/thread.h) */

/* Flags of a GSI binding. */
#define INTR_GSI_LEVEL 1u
#define INTR_GSI_ACTIVE_LOW 2u

/* The I/O APICs (ioapic_init) and the handlers of the vector pool. Needs
 * the ACPI tables and the page tables; before interrupts are on. */
void intr_init(void);

/* Every binding below: thread is a handle, bit 0..INTR_BIT_MAX, hart a
 * hart's number or INTR_HART_ANY; *id is the new binding's. Errors:
 * LM_ERR_INVAL (a bad or stale thread handle: LM_ERR_NOENT for one whose
 * thread ended), LM_ERR_RANGE (bit, hart, ISA IRQ or MSI-X entry out of
 * range), LM_ERR_INVAL (a function not in the PCI list),
 * LM_ERR_UNSUPPORTED (the function has no INTx pin, no MSI or no MSI-X
 * capability; no I/O APIC serves the GSI), LM_ERR_BUSY (the source is bound
 * already; a function's INTx, MSI and MSI-X exclude each other), LM_ERR_FULL (no binding or vector left). */
enum lm_err intr_bind_isa(uint8_t isa_irq, uint64_t thread, uint8_t bit, uint32_t hart,
			 uint32_t *id);
enum lm_err intr_bind_gsi(uint32_t gsi, uint32_t flags, uint64_t thread, uint8_t bit,
			 uint32_t hart, uint32_t *id);
enum lm_err intr_bind_intx(uint32_t func, uint64_t thread, uint8_t bit, uint32_t hart,
			  uint32_t *id);
enum lm_err intr_bind_msi(uint32_t func, uint64_t thread, uint8_t bit, uint32_t hart,
			 uint32_t *id);
enum lm_err intr_bind_msix(uint32_t func, uint32_t entry, uint64_t thread, uint8_t bit,
			  uint32_t hart, uint32_t *id);

/* Turn the source off and forget the binding. LM_ERR_NOENT for an id that
 * names no binding. */
enum lm_err intr_unbind(uint32_t id);
/* A level-triggered line: let it interrupt again (the handler masked it).
 * For an edge source (MSI, MSI-X, edge GSI) nothing to do: LM_OK. */
enum lm_err intr_unmask(uint32_t id);
/* Interrupts the handler took for the binding so far. */
enum lm_err intr_count(uint32_t id, uint64_t *out);
/* The vector and hart of a binding (tests and the boot log). */
enum lm_err intr_where(uint32_t id, uint8_t *vector, uint32_t *hart);

#endif
