/*
 * ACPI at boot: the parser in kernel/acpi.c reads physical memory through the
 * read callback below, which goes through the direct map. Firmware tables
 * often sit in ranges the memory map calls "reserved", which the direct map
 * leaves out; those pages are mapped on demand (uncached, as any reserved
 * range might be device memory; the tables are read once).
 */
#include "arch/layout.h"
#include "arch/vm.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "lib/string.h"

/* Physical addresses above this are not memory any table could be in. */
#define FIRMWARE_PHYS_LIMIT (1ull << 46)

struct acpi_info firmware;

/* A page that cannot be mapped reads as unreadable, so the parser skips
 * the table with its own warning; the cause is said once, here. */
static bool read_phys(void *ctx, uint64_t phys, void *buf, size_t len)
{
	static bool told;
	void *va;
	enum lm_err err;

	if (phys >= FIRMWARE_PHYS_LIMIT || len > FIRMWARE_PHYS_LIMIT - phys)
		return false;
	for (uint64_t p = phys & ~(uint64_t)(PAGE_SIZE - 1); p < phys + len; p += PAGE_SIZE) {
		if (vm_readable((uintptr_t)phys_to_virt(p), PAGE_SIZE))
			continue;
		err = vm_map_mmio(p, PAGE_SIZE, &va);
		if (err) {
			if (!told)
				kprintf("acpi: cannot map firmware memory at 0x%llx (%s); "
					"tables there are unreadable\n", (unsigned long long)p,
					lm_err_str(err));
			told = true;
			return false;
		}
	}
	memcpy(buf, phys_to_virt(phys), len);
	return true;
}

bool firmware_read_phys(uint64_t phys, void *buf, size_t len)
{
	return read_phys(NULL, phys, buf, len);
}

static void warn(void *ctx, const char *message)
{
	kprintf("acpi: %s\n", message);
}

static void report(void)
{
	if (firmware.rsdp_phys)
		kprintf("acpi: RSDP at 0x%llx (BIOS area), ", (unsigned long long)firmware.rsdp_phys);
	else
		kprintf("acpi: RSDP from the boot loader's copy, ");
	kprintf("revision %u, OEM \"%s\", tables:", firmware.revision, firmware.oem_id);
	for (uint32_t i = 0; i < firmware.table_count; i++)
		kprintf(" %s", firmware.tables[i]);
	kprintf("\n");
	if (firmware.have_madt) {
		kprintf("acpi: MADT: %u harts (APIC ids", firmware.cpu_count);
		for (uint32_t i = 0; i < firmware.cpu_count; i++)
			kprintf(" %u%s", firmware.cpus[i].apic_id,
				firmware.cpus[i].enabled ? "" : "(off)");
		kprintf("), %u I/O APIC, %u interrupt overrides\n", firmware.ioapic_count,
			firmware.override_count);
	}
	if (firmware.have_hpet)
		kprintf("acpi: HPET at 0x%llx\n", (unsigned long long)firmware.hpet_address);
	else if (firmware.hpet_address)
		kprintf("acpi: HPET at 0x%llx ignored\n", (unsigned long long)firmware.hpet_address);
	for (uint32_t i = 0; i < firmware.mcfg_count; i++)
		kprintf("acpi: PCI segment %u buses %u-%u at 0x%llx\n", firmware.mcfg[i].segment,
			firmware.mcfg[i].bus_start, firmware.mcfg[i].bus_end,
			(unsigned long long)firmware.mcfg[i].base);
}

/* One hart, the boot hart: what the kernel assumes without a usable MADT. */
static void fall_back(uint32_t boot_apic_id, const char *why)
{
	kprintf("acpi: %s; running on the boot hart alone\n", why);
	firmware.cpu_count = 1;
	firmware.cpus[0] = (struct acpi_cpu){.apic_id = boot_apic_id, .enabled = true};
}

static uint32_t boot_apic;
static bool parsed;

void firmware_read(uint32_t boot_apic_id)
{
	enum lm_err err = LM_ERR_NOENT;
	uint64_t rsdp;

	boot_apic = boot_apic_id;
	if (boot_info.rsdp_len)
		err = acpi_parse_rsdp_copy(read_phys, warn, NULL, boot_info.rsdp,
					   boot_info.rsdp_len, &firmware);
	if (err && acpi_find_rsdp(read_phys, NULL, &rsdp) == LM_OK)
		err = acpi_parse(read_phys, warn, NULL, rsdp, &firmware);
	if (err) {
		memset(&firmware, 0, sizeof firmware);
		fall_back(boot_apic_id, err == LM_ERR_NOENT ? "no RSDP found"
							    : "the RSDP is unusable");
		return;
	}
	parsed = true;
}

void firmware_init(void)
{
	if (!parsed)
		return;
	report();
	if (!firmware.have_madt || !firmware.cpu_count)
		fall_back(boot_apic, "no usable MADT");
}

enum lm_err firmware_override_drop(uint32_t irq)
{
	for (uint32_t i = 0; i < firmware.override_count; i++) {
		if (firmware.overrides[i].bus != 0 || firmware.overrides[i].source != irq)
			continue;
		memmove(&firmware.overrides[i], &firmware.overrides[i + 1],
			(firmware.override_count - i - 1) * sizeof firmware.overrides[0]);
		firmware.override_count--;
		return LM_OK;
	}
	return LM_ERR_NOENT;
}

void firmware_hpet_ignore(void)
{
	firmware.have_hpet = false;
}
