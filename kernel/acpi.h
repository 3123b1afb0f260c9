/*
 * ACPI static tables: finding the RSDP and reading what the kernel needs to
 * know about the machine from the tables it lists - the harts (MADT local
 * APIC and x2APIC entries), the I/O APICs and ISA interrupt overrides
 * (MADT), the HPET, and the PCI Express configuration space (MCFG).
 *
 * Portable: all memory is reached through a read callback, so the kernel
 * reads physical memory through its direct map and the host tests and the
 * fuzzer read a fake memory image. Nothing is trusted before it is checked:
 * every table's header and checksum, every MADT entry's length, every count.
 * A bad table is skipped with a warning and the rest is still parsed.
 *
 * No allocation and no global state; the parser uses about 1.5 KiB of stack
 * and fills a caller-supplied struct acpi_info (about 4 KiB: not for a
 * one-page thread stack). Locking: none; calls share nothing, but one
 * acpi_info must not be filled by two calls at once.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

/* Reads len bytes of physical memory at phys into buf; false if that memory
 * is not readable (then buf may hold anything). */
typedef bool acpi_read_fn(void *ctx, uint64_t phys, void *buf, size_t len);

/* Called once per problem found (a bad checksum, a truncated table, an entry
 * that makes no sense), with a one-line message naming the table, where it
 * is, the offset in it and what was wrong. May be NULL. */
typedef void acpi_warn_fn(void *ctx, const char *message);

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_MCFG 16
#define ACPI_MAX_TABLES 32   /* signatures kept for the boot report */
#define ACPI_MAX_FOLLOW 64   /* RSDT/XSDT entries followed at most */
#define ACPI_MAX_TABLE_LEN (1u << 20)

/* Longest message handed to the warn callback, with its NUL. */
#define ACPI_WARN_MAX 160

struct acpi_cpu {
	uint32_t apic_id;      /* local APIC or x2APIC id */
	uint32_t uid;          /* ACPI processor UID */
	bool enabled;          /* usable now */
	bool online_capable;   /* disabled, but may be brought online later */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;      /* physical base of its registers */
	uint32_t gsi_base;     /* first global system interrupt it serves */
};

/* An ISA interrupt that is wired to another GSI or with other polarity or
 * trigger mode than ISA's (edge, active high). */
struct acpi_override {
	uint8_t bus, source;   /* bus 0 (ISA) and its IRQ */
	uint32_t gsi;
	uint16_t flags;        /* MPS INTI flags: polarity bits 0-1, trigger 2-3 */
};

/* One PCI segment's ECAM window: bus b's configuration space starts at
 * base + (b << 20) (base is the address of bus 0, even if bus_start > 0). */
struct acpi_mcfg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;   /* bus_start <= bus_end */
};

struct acpi_info {
	/* From the RSDP. */
	uint8_t revision;        /* 0 for ACPI 1.0, 2 and up for XSDT support */
	char oem_id[7];          /* NUL-terminated */
	uint64_t rsdp_phys;      /* 0 when parsed from a copy */

	/* From the MADT. */
	bool have_madt;
	uint64_t lapic_address;  /* the 32-bit field, or the type 5 override */
	bool pcat_compat;        /* dual 8259s present (mask them) */
	uint32_t cpu_count;      /* enabled or online-capable ones only */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];

	/* From the first HPET table. */
	bool have_hpet;
	uint64_t hpet_address;
	uint8_t hpet_number;
	uint16_t hpet_min_tick;

	/* From the MCFG. */
	uint32_t mcfg_count;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];

	/* From the FADT ("FACP"): the PM1 control blocks (I/O ports; 0 when
	 * absent) and the DSDT's address (X_DSDT when set), for power-off
	 * (kernel/poweroff.c). */
	bool have_fadt;
	uint32_t pm1a_cnt, pm1b_cnt;
	uint64_t dsdt_phys;
	uint32_t smi_cmd;        /* where ACPI mode is asked for (0: always on) */
	uint8_t acpi_enable;     /* the value to write there */

	/* Signatures of the valid tables seen (the RSDT or XSDT first), in
	 * order, at most ACPI_MAX_TABLES; with each its header's OEM ID and
	 * OEM table ID (non-printable bytes as '?', trailing blanks cut), for
	 * matching quirks (kernel/quirk.h). */
	uint32_t table_count;
	char tables[ACPI_MAX_TABLES][5];
	char table_oem[ACPI_MAX_TABLES][7];
	char table_oem_table[ACPI_MAX_TABLES][9];
};

/*
 * Scan the BIOS areas for the RSDP: the first KiB of the EBDA (its segment
 * is the 16-bit word at phys 0x40e) and then 0xe0000-0xfffff, on 16-byte
 * boundaries. Valid means the signature "RSD PTR ", the checksum of the
 * first 20 bytes and, for revision 2 and later, the length and the extended
 * checksum. LM_OK with *rsdp_phys set, or LM_ERR_NOENT.
 */
enum lm_err acpi_find_rsdp(acpi_read_fn *read, void *ctx, uint64_t *rsdp_phys);

/*
 * Parse everything reachable from the RSDP at rsdp_phys into *out (zeroed
 * first). The XSDT is used when the revision is 2 or later and its address
 * is not zero, the RSDT otherwise or when the XSDT is bad. Bad tables and
 * entries are skipped with a warning. Returns LM_ERR_FAULT if the RSDP is
 * not readable, LM_ERR_FORMAT if it is malformed, LM_OK otherwise - even
 * with no usable MADT (have_madt false: the caller falls back to one hart).
 */
enum lm_err acpi_parse(acpi_read_fn *read, acpi_warn_fn *warn, void *ctx, uint64_t rsdp_phys,
		       struct acpi_info *out);

/*
 * The same from a copy of the RSDP (Multiboot 2 gives one in a tag). A copy
 * of 20 to 35 bytes is taken as the ACPI 1.0 part only (the "old RSDP" tag
 * holds that much whatever the revision): the RSDT is used. A longer copy of
 * a revision 2 RSDP must hold its whole length. LM_ERR_FORMAT if it is bad.
 */
enum lm_err acpi_parse_rsdp_copy(acpi_read_fn *read, acpi_warn_fn *warn, void *ctx,
				 const void *rsdp, size_t rsdp_len, struct acpi_info *out);

/*
 * The sleep types of \_S5 (soft off) in AML bytes (a DSDT, or part of one):
 * the values for PM1a's and PM1b's SLP_TYP (the second is the first when
 * the package has one element). LM_ERR_NOENT if no \_S5 Name is there,
 * LM_ERR_FORMAT if its package is not two integer literals. Reads only
 * aml[0, len). kernel/acpi_s5.c.
 */
enum lm_err acpi_s5_find(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
