/*
 * ACPI soft-off (poweroff.h).
 *
 * What it needs the firmware read at boot (kernel/firmware.c): the FADT's
 * PM1a (and PM1b) control blocks, SMI_CMD and ACPI_ENABLE, and the DSDT,
 * which it scans here for \_S5 (kernel/acpi_s5.c) a window at a time, the
 * windows overlapping by more than the object's bytes so that none falls
 * between two. Then SLP_TYPx (bits 10-12) and SLP_EN (bit 13) are written
 * to PM1x_CNT, PM1a first (ACPI 6.5, 4.8.3.2.1 and 7.4.2).
 *
 * Locking: none; whoever calls it is ending the system.
 */
#include "kernel/poweroff.h"

#include "arch/cpu.h"
#include "kernel/firmware.h"
#include "lib/fmt.h"

#define WINDOW 4096
#define OVERLAP 32
#define DSDT_MAX (4u << 20)
#define SCI_EN 1u
#define SLP_EN (1u << 13)

static void spin_ms(unsigned ms)
{
	/* Port 0x80 reads take about a microsecond on any PC. */
	for (unsigned i = 0; i < ms * 1000; i++)
		inb(0x80);
}

static enum lm_err find_s5(uint8_t *a, uint8_t *b, char *why, size_t size)
{
	static uint8_t window[WINDOW];
	uint8_t header[8];
	uint32_t len;
	enum lm_err err = LM_ERR_NOENT;

	if (!firmware.dsdt_phys || !firmware_read_phys(firmware.dsdt_phys, header, sizeof header) ||
	    (len = (uint32_t)header[4] | (uint32_t)header[5] << 8 | (uint32_t)header[6] << 16 |
		   (uint32_t)header[7] << 24) < 36 || len > DSDT_MAX) {
		fmt_snprintf(why, size, "the DSDT is missing or unreadable");
		return LM_ERR_NOENT;
	}
	for (uint32_t off = 36; off < len && err == LM_ERR_NOENT; off += WINDOW - OVERLAP) {
		uint32_t n = len - off < WINDOW ? len - off : WINDOW;

		if (!firmware_read_phys(firmware.dsdt_phys + off, window, n)) {
			fmt_snprintf(why, size, "the DSDT is unreadable at offset 0x%x", off);
			return LM_ERR_NOENT;
		}
		err = acpi_s5_find(window, n, a, b);
		if (n < WINDOW)
			break;
	}
	if (err)
		fmt_snprintf(why, size, err == LM_ERR_NOENT ? "the DSDT has no \\_S5 object"
							    : "the DSDT's \\_S5 is malformed");
	return err;
}

enum lm_err acpi_poweroff(char *why, size_t size)
{
	uint8_t a, b;
	enum lm_err err;
	bool irq;

	if (!firmware.have_fadt || !firmware.pm1a_cnt || firmware.pm1a_cnt > 0xffff) {
		fmt_snprintf(why, size, "no FADT with a PM1a control block in I/O space");
		return LM_ERR_UNSUPPORTED;
	}
	if ((err = find_s5(&a, &b, why, size)))
		return err;
	if (!(inw((uint16_t)firmware.pm1a_cnt) & SCI_EN) && firmware.smi_cmd &&
	    firmware.smi_cmd <= 0xffff && firmware.acpi_enable) {
		outb((uint16_t)firmware.smi_cmd, firmware.acpi_enable);
		for (int i = 0; i < 300 && !(inw((uint16_t)firmware.pm1a_cnt) & SCI_EN); i++)
			spin_ms(10);
	}
	irq = irq_save();
	outw((uint16_t)firmware.pm1a_cnt, (uint16_t)((a & 7u) << 10 | SLP_EN));
	if (firmware.pm1b_cnt && firmware.pm1b_cnt <= 0xffff)
		outw((uint16_t)firmware.pm1b_cnt, (uint16_t)((b & 7u) << 10 | SLP_EN));
	spin_ms(1000);
	irq_restore(irq);
	fmt_snprintf(why, size, "SLP_TYP %u written with SLP_EN to port 0x%x; the machine "
		 "is still on", a & 7u, firmware.pm1a_cnt);
	return LM_ERR_TIMEOUT;
}
