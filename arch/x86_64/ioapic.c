/*
 * I/O APIC register access (see arch/ioapic.h): IOREGSEL at offset 0,
 * IOWIN at 0x10; register 1 is the version (bits 16-23: the last pin),
 * registers 0x10 + 2n and 0x11 + 2n the low and high words of pin n's
 * redirection entry.
 */
#include "arch/ioapic.h"

enum {
	REG_VERSION = 0x01,
	REG_REDIR = 0x10,
};

#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)

static uint32_t rd(volatile void *regs, uint32_t reg)
{
	volatile uint32_t *r = regs;

	r[0] = reg;
	return r[4];
}

static void wr(volatile void *regs, uint32_t reg, uint32_t v)
{
	volatile uint32_t *r = regs;

	r[0] = reg;
	r[4] = v;
}

unsigned ioapic_pin_count(volatile void *regs)
{
	return ((rd(regs, REG_VERSION) >> 16) & 0xff) + 1;
}

void ioapic_pin_route(volatile void *regs, unsigned pin, uint8_t vector, uint32_t apic_id,
		      bool level, bool active_low, bool masked)
{
	uint32_t low = vector | (level ? REDIR_LEVEL : 0) | (active_low ? REDIR_ACTIVE_LOW : 0);

	/* Masked while the two halves disagree, then the final low word. */
	wr(regs, REG_REDIR + 2 * pin, low | REDIR_MASKED);
	wr(regs, REG_REDIR + 2 * pin + 1, apic_id << 24);
	wr(regs, REG_REDIR + 2 * pin, low | (masked ? REDIR_MASKED : 0));
}

void ioapic_pin_mask(volatile void *regs, unsigned pin, bool masked)
{
	uint32_t low = rd(regs, REG_REDIR + 2 * pin);

	wr(regs, REG_REDIR + 2 * pin, masked ? low | REDIR_MASKED : low & ~REDIR_MASKED);
}
