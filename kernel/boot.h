/*
 * What the boot loader told us, copied out of the Multiboot structures into
 * kernel memory before anything else allocates (so that the loader's memory
 * can be reused). Filled by kernel/multiboot.c, read-only afterwards.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MEM_MAX 128
#define BOOT_MODULE_MAX 16
#define BOOT_CMDLINE_MAX 1024

enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum boot_mem_type; other values are "reserved" */
};

struct boot_module {
	uint64_t start, end; /* physical, end exclusive */
	char cmdline[128];
};

struct boot_info {
	uint32_t protocol; /* 1 or 2: Multiboot version */
	char loader[64];
	char cmdline[BOOT_CMDLINE_MAX];
	bool cmdline_truncated;
	struct boot_mem_range mem[BOOT_MEM_MAX];
	uint32_t mem_count;
	struct boot_module modules[BOOT_MODULE_MAX];
	uint32_t module_count;
	uint8_t rsdp[36]; /* copy of the ACPI RSDP, if the loader gave one */
	uint32_t rsdp_len;
};

extern struct boot_info boot_info;

/* Parse the loader's information; returns false (after saying why on the
 * console) if the magic is unknown or the structure is unusable. */
bool multiboot_parse(uint32_t magic, uint64_t info_phys);


#endif
