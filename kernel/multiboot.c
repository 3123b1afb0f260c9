/*
 * Multiboot 1 and 2 information: copied into struct boot_info.
 *
 * The structures sit in low physical memory, read through the boot page
 * tables' direct map of the first 4 GiB. Nothing from the loader is trusted
 * for its sizes: every tag and entry is bounds-checked against the size the
 * structure claims, and that size against a sane limit.
 */
#include <stddef.h>

#include "arch/layout.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "lib/string.h"

#define MB1_BOOT_MAGIC 0x2badb002
#define MB2_BOOT_MAGIC 0x36d76289
#define INFO_MAX_SIZE (1u << 20)
#define EARLY_LIMIT (4ull << 30) /* what the boot page tables map */

struct boot_info boot_info;

static const void *early_ptr(uint64_t phys, uint64_t len)
{
	if (phys >= EARLY_LIMIT || len > EARLY_LIMIT - phys)
		return NULL;
	return (const void *)(DIRECT_MAP_BASE + phys);
}

static void copy_string(char *dst, size_t cap, uint64_t phys, bool *truncated)
{
	const char *src = early_ptr(phys, 1);
	size_t n = 0;

	if (truncated)
		*truncated = false;
	if (!src) {
		dst[0] = 0;
		return;
	}
	while (n + 1 < cap && phys + n < EARLY_LIMIT && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = 0;
	if (truncated && phys + n < EARLY_LIMIT && src[n])
		*truncated = true;
}

/*
 * Multiboot 1 loaders (GRUB legacy, QEMU) put the image's path in front of
 * the options; Multiboot 2 loaders do not. Keep only the options.
 */
static void drop_image_path(char *cmdline)
{
	char *p = cmdline;

	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	memmove(cmdline, p, strlen(p) + 1);
}

static void add_mem(uint64_t base, uint64_t len, uint32_t type)
{
	if (boot_info.mem_count == BOOT_MEM_MAX) {
		kprintf("boot: more than %d memory ranges; ignoring the rest\n",
			BOOT_MEM_MAX);
		return;
	}
	boot_info.mem[boot_info.mem_count++] = (struct boot_mem_range){base, len, type};
}

static void add_module(uint64_t start, uint64_t end, uint64_t name_phys,
		       const char *name, size_t name_len)
{
	struct boot_module *m;

	if (boot_info.module_count == BOOT_MODULE_MAX) {
		kprintf("boot: more than %d modules; ignoring the rest\n",
			BOOT_MODULE_MAX);
		return;
	}
	if (end < start) {
		kprintf("boot: module %u ends before it starts; ignored\n",
			boot_info.module_count);
		return;
	}
	m = &boot_info.modules[boot_info.module_count++];
	m->start = start;
	m->end = end;
	if (name) {
		size_t n = strnlen(name, name_len);
		if (n >= sizeof m->cmdline)
			n = sizeof m->cmdline - 1;
		memcpy(m->cmdline, name, n);
		m->cmdline[n] = 0;
	} else {
		copy_string(m->cmdline, sizeof m->cmdline, name_phys, NULL);
	}
}

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct mb1_module {
	uint32_t start, end, string, reserved;
};

static bool parse_mb1(uint64_t info_phys)
{
	const struct mb1_info *mb = early_ptr(info_phys, sizeof *mb);

	if (!mb)
		return false;
	boot_info.protocol = 1;
	if (mb->flags & (1u << 9))
		copy_string(boot_info.loader, sizeof boot_info.loader,
			    mb->boot_loader_name, NULL);
	if (mb->flags & (1u << 2)) {
		copy_string(boot_info.cmdline, sizeof boot_info.cmdline,
			    mb->cmdline, &boot_info.cmdline_truncated);
		drop_image_path(boot_info.cmdline);
	}
	if (mb->flags & (1u << 6)) {
		const uint8_t *p = early_ptr(mb->mmap_addr, mb->mmap_length);
		uint32_t off = 0;

		/* Entries: u32 size (not counting itself), u64 base, u64 len, u32 type. */
		while (p && off + 24 <= mb->mmap_length) {
			uint32_t size, type;
			uint64_t base, len;

			memcpy(&size, p + off, 4);
			memcpy(&base, p + off + 4, 8);
			memcpy(&len, p + off + 12, 8);
			memcpy(&type, p + off + 20, 4);
			if (size < 20)
				break;
			add_mem(base, len, type);
			off += size + 4;
		}
	} else if (mb->flags & 1) {
		add_mem(0, (uint64_t)mb->mem_lower << 10, BOOT_MEM_RAM);
		add_mem(1 << 20, (uint64_t)mb->mem_upper << 10, BOOT_MEM_RAM);
	}
	if (mb->flags & (1u << 3)) {
		const struct mb1_module *mods =
			early_ptr(mb->mods_addr, (uint64_t)mb->mods_count * sizeof *mods);

		for (uint32_t i = 0; mods && i < mb->mods_count; i++)
			add_module(mods[i].start, mods[i].end, mods[i].string, NULL, 0);
	}
	return true;
}

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

static void copy_tag_string(char *dst, size_t cap, const uint8_t *s, size_t len)
{
	size_t n = strnlen((const char *)s, len);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static void parse_mb2_tag(uint32_t type, const uint8_t *tag, uint32_t size)
{
	const uint8_t *body = tag + 8;
	uint32_t body_len = size - 8;

	switch (type) {
	case MB2_TAG_CMDLINE:
		copy_tag_string(boot_info.cmdline, sizeof boot_info.cmdline, body, body_len);
		boot_info.cmdline_truncated =
			strnlen((const char *)body, body_len) >= sizeof boot_info.cmdline;
		break;
	case MB2_TAG_LOADER:
		copy_tag_string(boot_info.loader, sizeof boot_info.loader, body, body_len);
		break;
	case MB2_TAG_MODULE:
		if (body_len >= 8) {
			uint32_t start, end;
			memcpy(&start, body, 4);
			memcpy(&end, body + 4, 4);
			add_module(start, end, 0, (const char *)body + 8, body_len - 8);
		}
		break;
	case MB2_TAG_MMAP: {
		uint32_t entry_size;

		if (body_len < 8)
			break;
		memcpy(&entry_size, body, 4);
		if (entry_size < 20)
			break;
		for (uint32_t off = 8; off + entry_size <= body_len; off += entry_size) {
			uint64_t base, len;
			uint32_t t;
			memcpy(&base, body + off, 8);
			memcpy(&len, body + off + 8, 8);
			memcpy(&t, body + off + 16, 4);
			add_mem(base, len, t);
		}
		break;
	}
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* Prefer the ACPI 2.0 copy when both are given. */
		if (type == MB2_TAG_ACPI_NEW || !boot_info.rsdp_len) {
			uint32_t n = body_len < sizeof boot_info.rsdp ? body_len : sizeof boot_info.rsdp;
			memcpy(boot_info.rsdp, body, n);
			boot_info.rsdp_len = n;
		}
		break;
	}
}

static bool parse_mb2(uint64_t info_phys)
{
	const uint8_t *p = early_ptr(info_phys, 8);
	uint32_t total, off = 8;

	if (!p)
		return false;
	memcpy(&total, p, 4);
	if (total < 16 || total > INFO_MAX_SIZE || !early_ptr(info_phys, total)) {
		kprintf("boot: Multiboot 2 information has a bad size (%u)\n", total);
		return false;
	}
	boot_info.protocol = 2;
	while (off + 8 <= total) {
		uint32_t type, size;

		memcpy(&type, p + off, 4);
		memcpy(&size, p + off + 4, 4);
		if (type == MB2_TAG_END)
			break;
		if (size < 8 || size > total - off) {
			kprintf("boot: Multiboot 2 tag %u at offset %u has bad size %u; "
				"ignoring the rest\n", type, off, size);
			break;
		}
		parse_mb2_tag(type, p + off, size);
		off += (size + 7) & ~7u;
	}
	return true;
}

bool multiboot_parse(uint32_t magic, uint64_t info_phys)
{
	bool ok;

	if (magic == MB1_BOOT_MAGIC)
		ok = parse_mb1(info_phys);
	else if (magic == MB2_BOOT_MAGIC)
		ok = parse_mb2(info_phys);
	else {
		kprintf("boot: unknown boot loader magic 0x%x; not Multiboot?\n", magic);
		return false;
	}
	if (ok && boot_info.mem_count == 0) {
		kprintf("boot: the boot loader gave no memory map\n");
		ok = false;
	}
	return ok;
}
