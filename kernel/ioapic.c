/*
 * The I/O APIC driver (kernel/ioapic.h): which chip serves which GSI, the
 * ISA overrides, and a lock per chip. The registers themselves are the
 * architecture's (arch/ioapic.h).
 *
 * Owns: the table of chips, filled once by ioapic_init and read-only
 * afterwards (apart from each chip's lock).
 */
#include "arch/cpu.h"
#include "arch/ioapic.h"
#include "arch/spinlock.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "kernel/ioapic.h"

struct chip {
	volatile void *regs;
	uint32_t gsi_base;
	unsigned pins;
	struct spinlock lock;
};

static struct chip chips[ACPI_MAX_IOAPICS];
static unsigned chip_count;

/* MPS INTI flags of a MADT override: polarity in bits 0-1, trigger mode in
 * bits 2-3; 0 means "as the bus says" (for ISA: active high, edge). */
#define INTI_POLARITY_LOW 3u
#define INTI_TRIGGER_LEVEL 3u

void ioapic_init(void)
{
	for (uint32_t i = 0; i < firmware.ioapic_count; i++) {
		const struct acpi_ioapic *a = &firmware.ioapics[i];
		struct chip *c = &chips[chip_count];
		void *va;
		enum lm_err err = vm_map_mmio(a->address, IOAPIC_REGS_SIZE, &va);

		if (err) {
			kprintf("ioapic: cannot map I/O APIC %u at 0x%x (%s); its GSIs are "
				"unusable\n", a->id, a->address, lm_err_str(err));
			continue;
		}
		c->regs = va;
		c->gsi_base = a->gsi_base;
		c->pins = ioapic_pin_count(va);
		c->lock = (struct spinlock)SPINLOCK_INIT;
		for (unsigned pin = 0; pin < c->pins; pin++)
			ioapic_pin_mask(va, pin, true);
		chip_count++;
		kprintf("ioapic: id %u at 0x%x, GSIs %u-%u, all masked\n", a->id, a->address,
			a->gsi_base, a->gsi_base + c->pins - 1);
	}
	if (!firmware.ioapic_count)
		kprintf("ioapic: none in the MADT: no interrupt lines, MSI only\n");
	for (uint32_t i = 0; i < firmware.override_count; i++) {
		const struct acpi_override *o = &firmware.overrides[i];
		uint32_t gsi;
		bool level, low;

		if (o->bus != 0 || o->source >= 16)
			continue;
		ioapic_isa_gsi(o->source, &gsi, &level, &low);
		kprintf("ioapic: ISA IRQ %u is GSI %u, %s, active %s\n", o->source, gsi,
			level ? "level" : "edge", low ? "low" : "high");
	}
}

void ioapic_isa_gsi(uint8_t irq, uint32_t *gsi, bool *level, bool *active_low)
{
	*gsi = irq;
	*level = false;
	*active_low = false;
	for (uint32_t i = 0; i < firmware.override_count; i++) {
		const struct acpi_override *o = &firmware.overrides[i];

		if (o->bus != 0 || o->source != irq)
			continue;
		*gsi = o->gsi;
		*active_low = (o->flags & 3) == INTI_POLARITY_LOW;
		*level = ((o->flags >> 2) & 3) == INTI_TRIGGER_LEVEL;
		return;
	}
}

static struct chip *chip_of(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < chip_count; i++)
		if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].pins) {
			*pin = gsi - chips[i].gsi_base;
			return &chips[i];
		}
	return NULL;
}

bool ioapic_serves(uint32_t gsi)
{
	unsigned pin;

	return chip_of(gsi, &pin) != NULL;
}

/* gsi's chip, locked with interrupts off (*irq says how they were), and
 * its pin; NULL with nothing held if no chip serves gsi. */
static struct chip *chip_lock(uint32_t gsi, unsigned *pin, bool *irq)
{
	struct chip *c = chip_of(gsi, pin);

	if (c)
		*irq = plat_spin_lock(&c->lock);
	return c;
}

static void chip_unlock(struct chip *c, bool irq)
{
	plat_spin_unlock(&c->lock, irq);
}

enum lm_err ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id, bool level,
			 bool active_low, bool masked)
{
	unsigned pin;
	bool irq;
	struct chip *c = chip_lock(gsi, &pin, &irq);

	if (!c)
		return LM_ERR_NOENT;
	ioapic_pin_route(c->regs, pin, vector, apic_id, level, active_low, masked);
	chip_unlock(c, irq);
	return LM_OK;
}

enum lm_err ioapic_mask(uint32_t gsi, bool masked)
{
	unsigned pin;
	bool irq;
	struct chip *c = chip_lock(gsi, &pin, &irq);

	if (!c)
		return LM_ERR_NOENT;
	ioapic_pin_mask(c->regs, pin, masked);
	chip_unlock(c, irq);
	return LM_OK;
}
