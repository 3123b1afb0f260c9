/*
 * Quirks (docs/quirks.md): boot scripts in the archive that run only on the
 * machines they name. A quirk is one file of the init language whose first
 * lines, comments to the language, are its header:
 *
 *	\ quirk: what it works around
 *	\ stage: harts
 *	\ match: smbios.product Standard PC (Q35*
 *	\ match: hypervisor TCGTCGTCGTCG
 *	2 hart-keep-out
 *
 * This file reads such a header and decides whether it matches a machine's
 * facts (struct quirk_facts, which kernel/stage.c gathers). Portable: the
 * host tests and the fuzzer (kernel/quirk_fuzz.c) run it. The header is
 * outside input: anything wrong in it is a positioned error, never a crash.
 *
 * No allocation, no global state; locking: none.
 */
#ifndef KERNEL_QUIRK_H
#define KERNEL_QUIRK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

/* The named points of the boot at which scripts run (kernel/main.c). */
enum stage { STAGE_ACPI, STAGE_HARTS, STAGE_SCHED, STAGE_PROGRAMS, STAGE_COUNT };

const char *stage_name(enum stage s);
/* The stage named by len bytes of s; false if none is. */
bool stage_parse(const char *s, size_t len, enum stage *out);

enum quirk_key {
	QUIRK_ACPI_OEM,       /* any ACPI table header's OEM ID (6 bytes) */
	QUIRK_ACPI_TABLE,     /* any ACPI table header's OEM table ID (8 bytes) */
	QUIRK_SMBIOS_VENDOR,  /* SMBIOS system information (type 1): manufacturer */
	QUIRK_SMBIOS_PRODUCT, /* SMBIOS type 1: product name */
	QUIRK_CPU_VENDOR,     /* CPUID leaf 0: "GenuineIntel", "AuthenticAMD" */
	QUIRK_CPU_FAMILY,     /* CPUID leaf 1, the displayed family (number) */
	QUIRK_CPU_MODEL,      /* CPUID leaf 1, the displayed model (number) */
	QUIRK_HYPERVISOR,     /* CPUID 0x40000000's signature, "" on bare metal */
	QUIRK_PCI,            /* any PCI function's vendor:device (hex) */
	QUIRK_KEY_COUNT,
};

#define QUIRK_TEXT_MAX 64   /* a text value, its NUL included */
#define QUIRK_MATCH_MAX 8   /* match lines in one header */
#define QUIRK_ABOUT_MAX 96
#define QUIRK_ERROR_MAX 160

struct quirk_match {
	uint8_t key;                /* enum quirk_key */
	char text[QUIRK_TEXT_MAX];  /* a glob ('*', '?') for text keys */
	uint32_t number;            /* family, model; vendor << 16 | device */
};

struct quirk_header {
	enum stage stage;
	char about[QUIRK_ABOUT_MAX];   /* the quirk: line ("" without one) */
	uint32_t nmatch;
	struct quirk_match match[QUIRK_MATCH_MAX];
};

/* Where a header is wrong, and how. */
struct quirk_error {
	uint32_t line, col;
	char what[QUIRK_ERROR_MAX];
};

/*
 * Read the header of a quirk's text: the leading lines that start with a
 * backslash (the language's line comment). Among them, `\ quirk: text`,
 * `\ stage: NAME` and `\ match: KEY VALUE` are fields; any other
 * `\ word:` is an error (a misspelt field must not pass as a comment);
 * other comment lines are comments. A header needs a stage and at least
 * one match; every match must hold (there is no "or": two quirks). A pci
 * match needs stage harts or later (PCI is enumerated after stage acpi).
 * LM_OK, or LM_ERR_FORMAT with *err saying where and what.
 */
enum lm_err quirk_parse(const char *text, size_t len, struct quirk_header *h,
			struct quirk_error *err);

#define QUIRK_FACTS_TABLES 32
#define QUIRK_FACTS_PCI 256

/* What is known about the machine when a stage runs. */
struct quirk_facts {
	uint32_t ntables;
	char acpi_oem[QUIRK_FACTS_TABLES][7];
	char acpi_table[QUIRK_FACTS_TABLES][9];
	char smbios_vendor[QUIRK_TEXT_MAX];
	char smbios_product[QUIRK_TEXT_MAX];
	char cpu_vendor[13];
	uint32_t cpu_family, cpu_model;
	char hypervisor[13];
	uint32_t npci;                    /* 0 before PCI is enumerated */
	uint32_t pci[QUIRK_FACTS_PCI];    /* vendor << 16 | device */
};

/* Whether every match of h holds for f; if so, why (the matches, as
 * "smbios.product=... hypervisor=...") in why. */
bool quirk_matches(const struct quirk_header *h, const struct quirk_facts *f, char *why,
		   size_t why_size);

/* The displayed family and model of CPUID leaf 1's eax (the extended
 * fields added as the SDM says). */
void quirk_cpu_signature(uint32_t eax, uint32_t *family, uint32_t *model);

#endif
