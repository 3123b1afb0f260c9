/*
 * An I/O APIC's registers (82093AA layout, as every x86 chipset since):
 * an index register and a data window, and one 64-bit redirection entry
 * per input pin. The kernel's driver (kernel/ioapic.c) maps the registers,
 * knows which global system interrupts (GSIs) each chip serves and keeps
 * the chips' state; this file only reads and writes them.
 *
 * Locking: the index/data pair is one access at a time per chip; the
 * caller holds its lock.
 */
#ifndef ARCH_X86_64_IOAPIC_H
#define ARCH_X86_64_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes of register space to map at the chip's physical address. */
#define IOAPIC_REGS_SIZE 0x20

/* How many input pins the chip at regs has (1-240), from its version
 * register. */
unsigned ioapic_pin_count(volatile void *regs);

/* Program pin: deliver as vector to the local APIC apic_id, fixed
 * delivery, physical destination; level or edge trigger, active low or
 * high; masked or not. */
void ioapic_pin_route(volatile void *regs, unsigned pin, uint8_t vector, uint32_t apic_id,
		      bool level, bool active_low, bool masked);
/* Set or clear the mask bit of pin, leaving the rest of its entry. */
void ioapic_pin_mask(volatile void *regs, unsigned pin, bool masked);

#endif
