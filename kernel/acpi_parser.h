/*
 * What the two halves of the ACPI parser share: kernel/acpi.c finds and
 * checks tables, kernel/acpi_tables.c reads the MADT, HPET and MCFG in them.
 * Nothing else includes this.
 */
#ifndef KERNEL_ACPI_PARSER_H
#define KERNEL_ACPI_PARSER_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/acpi.h"

#define SDT_HEADER_LEN 36
#define MADT_FIXED_LEN 44   /* header, local APIC address, flags */
#define HPET_LEN 56
#define MCFG_FIXED_LEN 44   /* header, 8 reserved bytes */
#define MCFG_ENTRY_LEN 16
#define WHOLE UINT32_MAX    /* a twarn() about no offset in particular */

struct parser {
	acpi_read_fn *read;
	acpi_warn_fn *warn;
	void *ctx;
	struct acpi_info *out;
	bool seen_madt, seen_mcfg;
	/* Each "table full" problem is reported once. */
	bool cpus_full, ioapics_full, overrides_full, mcfg_full;
};

/* A table whose header and checksum have been checked. */
struct sdt {
	uint64_t phys;
	uint32_t len;
	char sig[5];
	const char *name;   /* "MADT" for "APIC", else the signature */
};

static inline uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t le64(const uint8_t *b)
{
	return le32(b) | (uint64_t)le32(b + 4) << 32;
}

static inline unsigned long long ull(uint64_t v)
{
	return v;
}

/* A warning about table t, at offset off in it or about the WHOLE table:
 * "<name> at 0x<phys>[, offset 0x<off>]: <what>". */
void acpi_twarn(struct parser *p, const struct sdt *t, uint32_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Read len bytes at offset off of a checked table (off + len <= its length). */
bool acpi_table_read(struct parser *p, const struct sdt *t, uint32_t off, void *buf,
		     uint32_t len);

/* kernel/acpi_tables.c: what each table says, into p->out. */
void acpi_madt_parse(struct parser *p, const struct sdt *t);
void acpi_hpet_parse(struct parser *p, const struct sdt *t);
void acpi_mcfg_parse(struct parser *p, const struct sdt *t);

#endif
