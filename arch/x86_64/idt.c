/*
 * The interrupt descriptor table, shared by all harts: every vector is an
 * interrupt gate (interrupts off on entry) on the IST stack of its class.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/gdt.h"
#include "arch/trap.h"

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* present, DPL, gate type */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

extern const uint64_t trap_stubs[256];

static struct idt_entry idt[256] __attribute__((aligned(16)));

static uint8_t ist_for(int v)
{
	switch (v) {
	case VEC_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MACHINE_CHECK:
		return IST_MACHINE_CHECK;
	default:
		return v < VEC_FIRST_IRQ ? IST_EXCEPTION : IST_IRQ;
	}
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t addr = trap_stubs[v];

		idt[v] = (struct idt_entry){
			.offset_low = addr & 0xffff,
			.selector = SEL_KERNEL_CODE,
			.ist = ist_for(v),
			.type = 0x8e, /* present, ring 0, 64-bit interrupt gate */
			.offset_mid = (addr >> 16) & 0xffff,
			.offset_high = addr >> 32,
		};
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void idt_set_present(uint8_t vector, bool present)
{
	if (present)
		idt[vector].type |= 0x80;
	else
		idt[vector].type &= 0x7f;
}
