/*
 * Host tests of the ACPI parser: synthetic tables in a fake physical memory
 * (the first MiB, of which a test may make a part unreadable, and one page
 * above 4 GiB for 64-bit XSDT entries), then the parse result and the exact
 * warnings are checked.
 *
 * The machine built by build_machine() is also the fuzzer's seed corpus:
 * with ACPI_SEED_DIR set, acpi.seeds writes the images there (see
 * docs/acpi.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/acpi.h"
#include "lib/string.h"
#include "lib/test.h"

#define LOW_SIZE 0x100000
#define HIGH_BASE 0x123450000ull
#define HIGH_SIZE 0x1000
#define MAX_WARNS 32

static uint8_t low[LOW_SIZE], high[HIGH_SIZE];

static struct fake {
	uint64_t limit;          /* low memory is readable below this */
	uint64_t hole_lo, hole_hi;   /* except in [hole_lo, hole_hi) */
	long budget;             /* reads that succeed before all fail; -1: all */
	long reads;
	bool quiet;              /* do not echo warnings as TAP comments */
	int nwarn;
	char warns[MAX_WARNS][ACPI_WARN_MAX];
	bool bad_message;        /* empty, multi-line or too long */
} fk;

static bool fake_read(void *ctx, uint64_t phys, void *buf, size_t len)
{
	struct fake *f = ctx;

	f->reads++;
	if (f->budget == 0)
		return false;
	if (f->budget > 0)
		f->budget--;
	if (phys >= HIGH_BASE && phys - HIGH_BASE <= HIGH_SIZE &&
	    len <= HIGH_SIZE - (phys - HIGH_BASE)) {
		memcpy(buf, high + (phys - HIGH_BASE), len);
		return true;
	}
	if (phys > f->limit || len > f->limit - phys)
		return false;
	if (phys < f->hole_hi && phys + len > f->hole_lo)
		return false;
	memcpy(buf, low + phys, len);
	return true;
}

static void fake_warn(void *ctx, const char *msg)
{
	struct fake *f = ctx;
	size_t n = strnlen(msg, ACPI_WARN_MAX);

	if (!n || n == ACPI_WARN_MAX || strchr(msg, '\n'))
		f->bad_message = true;
	if (f->nwarn < MAX_WARNS)
		snprintf(f->warns[f->nwarn], ACPI_WARN_MAX, "%s", msg);
	f->nwarn++;
	if (!f->quiet)
		test_diag("warning: %s", msg);
}

/* Is there a warning that contains both a and b? */
static bool warned(const char *a, const char *b)
{
	for (int i = 0; i < fk.nwarn && i < MAX_WARNS; i++)
		if (strstr(fk.warns[i], a) && strstr(fk.warns[i], b))
			return true;
	return false;
}

static void reset(void)
{
	memset(low, 0, sizeof low);
	memset(high, 0, sizeof high);
	memset(&fk, 0, sizeof fk);
	fk.limit = LOW_SIZE;
	fk.budget = -1;
}

/* ------------------------------------------------------------ building */

static uint8_t *at(uint64_t phys)
{
	if (phys >= HIGH_BASE && phys < HIGH_BASE + HIGH_SIZE)
		return high + (phys - HIGH_BASE);
	if (phys >= LOW_SIZE)
		abort();   /* a test wrote outside the fake memory */
	return low + phys;
}

static void w16(uint64_t phys, uint16_t v)
{
	for (int i = 0; i < 2; i++)
		*at(phys + i) = (uint8_t)(v >> 8 * i);
}

static void w32(uint64_t phys, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*at(phys + i) = (uint8_t)(v >> 8 * i);
}

static void w64(uint64_t phys, uint64_t v)
{
	w32(phys, (uint32_t)v);
	w32(phys + 4, (uint32_t)(v >> 32));
}

/* Make the len bytes at phys sum to 0 by setting the byte at phys + where. */
static void fix_sum(uint64_t phys, uint32_t len, uint32_t where)
{
	uint8_t s = 0;

	*at(phys + where) = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + *at(phys + i));
	*at(phys + where) = (uint8_t)-s;
}

static void put_rsdp(uint64_t phys, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(at(phys), "RSD PTR ", 8);
	memcpy(at(phys + 9), "LMTEST", 6);
	*at(phys + 15) = rev;
	w32(phys + 16, rsdt);
	if (rev >= 2) {
		w32(phys + 20, 36);
		w64(phys + 24, xsdt);
		fix_sum(phys, 20, 8);
		fix_sum(phys, 36, 32);
	} else {
		fix_sum(phys, 20, 8);
	}
}

/* A table under construction: bytes are appended at phys + len. */
struct tb {
	uint64_t phys;
	uint32_t len;
};

static void p8(struct tb *t, uint8_t v)
{
	*at(t->phys + t->len++) = v;
}

static void p16(struct tb *t, uint16_t v)
{
	w16(t->phys + t->len, v);
	t->len += 2;
}

static void p32(struct tb *t, uint32_t v)
{
	w32(t->phys + t->len, v);
	t->len += 4;
}

static void p64(struct tb *t, uint64_t v)
{
	w64(t->phys + t->len, v);
	t->len += 8;
}

static struct tb tb_begin(uint64_t phys, const char *sig)
{
	struct tb t = {phys, 0};

	memcpy(at(phys), sig, 4);
	memcpy(at(phys + 10), "LMTESTLEMMINGS", 14);   /* OEM id and table id */
	*at(phys + 8) = 1;
	w32(phys + 24, 1);
	memcpy(at(phys + 28), "LMCC", 4);
	w32(phys + 32, 1);
	t.len = 36;
	return t;
}

static void tb_end(struct tb *t)
{
	w32(t->phys + 4, t->len);
	fix_sum(t->phys, t->len, 9);
}

static void put_root(uint64_t phys, bool xsdt, const uint64_t *tables, int n)
{
	struct tb t = tb_begin(phys, xsdt ? "XSDT" : "RSDT");

	for (int i = 0; i < n; i++) {
		if (xsdt)
			p64(&t, tables[i]);
		else
			p32(&t, (uint32_t)tables[i]);
	}
	tb_end(&t);
}

static void e_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	p8(t, 0), p8(t, 8), p8(t, uid), p8(t, id), p32(t, flags);
}

static void e_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	p8(t, 1), p8(t, 12), p8(t, id), p8(t, 0), p32(t, addr), p32(t, gsi);
}

static void e_override(struct tb *t, uint8_t src, uint32_t gsi, uint16_t flags)
{
	p8(t, 2), p8(t, 10), p8(t, 0), p8(t, src), p32(t, gsi), p16(t, flags);
}

static void e_nmi(struct tb *t)
{
	p8(t, 4), p8(t, 6), p8(t, 0xff), p16(t, 0), p8(t, 1);
}

static void e_x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	p8(t, 9), p8(t, 16), p16(t, 0), p32(t, id), p32(t, flags), p32(t, uid);
}

static struct tb madt_begin(uint64_t phys)
{
	struct tb t = tb_begin(phys, "APIC");

	p32(&t, 0xfee00000), p32(&t, 1);
	return t;
}

static void put_hpet(uint64_t phys, uint8_t space, uint64_t addr)
{
	struct tb t = tb_begin(phys, "HPET");

	p32(&t, 0x8086a201);
	p8(&t, space), p8(&t, 0), p8(&t, 0), p8(&t, 0), p64(&t, addr);
	p8(&t, 0), p16(&t, 0x80), p8(&t, 0);
	tb_end(&t);
}

static void e_mcfg(struct tb *t, uint64_t base, uint16_t seg, uint8_t start, uint8_t end)
{
	p64(t, base), p16(t, seg), p8(t, start), p8(t, end), p32(t, 0);
}

static struct tb mcfg_begin(uint64_t phys)
{
	struct tb t = tb_begin(phys, "MCFG");

	p64(&t, 0);
	return t;
}

/* Where build_machine() puts things, from its base. */
enum {
	OFF_RSDT = 0x40, OFF_XSDT = 0x80, OFF_FACP = 0x100, OFF_MADT = 0x180,
	OFF_HPET = 0x200, OFF_MCFG = 0x240, OFF_WAET = 0x280, MACHINE_SIZE = 0x2a8
};

/* A QEMU-like set: RSDP at base, RSDT (and XSDT for revision 2) listing a
 * FADT, a MADT with 4 CPUs (the last disabled), an I/O APIC, two overrides
 * and an NMI entry, an HPET, an MCFG and a WAET. */
static void build_machine(uint64_t base, uint8_t rev)
{
	uint64_t t[5] = {base + OFF_FACP, base + OFF_MADT, base + OFF_HPET, base + OFF_MCFG,
			 base + OFF_WAET};
	struct tb b;

	put_rsdp(base, rev, (uint32_t)(base + OFF_RSDT), rev >= 2 ? base + OFF_XSDT : 0);
	put_root(base + OFF_RSDT, false, t, 5);
	if (rev >= 2)
		put_root(base + OFF_XSDT, true, t, 5);
	b = tb_begin(base + OFF_FACP, "FACP");
	w32(base + OFF_FACP + 40, 0x7ffe0040);  /* DSDT */
	w32(base + OFF_FACP + 48, 0xb2);        /* SMI_CMD */
	*at(base + OFF_FACP + 52) = 0xf1;       /* ACPI_ENABLE */
	w32(base + OFF_FACP + 64, 0x604);       /* PM1a_CNT_BLK */
	b.len = 116;
	tb_end(&b);
	b = madt_begin(base + OFF_MADT);
	e_lapic(&b, 0, 0, 1), e_lapic(&b, 1, 1, 1), e_lapic(&b, 2, 2, 1), e_lapic(&b, 3, 3, 0);
	e_ioapic(&b, 0, 0xfec00000, 0);
	e_override(&b, 0, 2, 0), e_override(&b, 9, 9, 0xd);
	e_nmi(&b);
	tb_end(&b);
	put_hpet(base + OFF_HPET, 0, 0xfed00000);
	b = mcfg_begin(base + OFF_MCFG);
	e_mcfg(&b, 0xb0000000, 0, 0, 0xff);
	tb_end(&b);
	b = tb_begin(base + OFF_WAET, "WAET");
	p32(&b, 2);
	tb_end(&b);
}

/* build_machine() with, after it, a MADT that fills every list past its
 * limit: x2APIC CPUs, I/O APICs, overrides, an address override. Returns
 * the size of the whole. */
static uint32_t build_big_machine(uint64_t base)
{
	uint64_t t[3] = {base + OFF_FACP, base + MACHINE_SIZE, base + OFF_MCFG};
	struct tb b;

	build_machine(base, 2);
	put_root(base + OFF_XSDT, true, t, 3);
	b = madt_begin(base + MACHINE_SIZE);
	e_lapic(&b, 0, 0, 1);
	for (uint32_t i = 1; i < 4; i++)
		e_x2apic(&b, 0x100 * i, i == 3 ? 2 : 1, i);
	for (uint8_t i = 0; i <= ACPI_MAX_IOAPICS; i++)
		e_ioapic(&b, i, 0xfec00000 + i * 0x1000u, i * 24u);
	for (uint8_t i = 0; i <= ACPI_MAX_OVERRIDES; i++)
		e_override(&b, i, i + 100u, 0xf);
	p8(&b, 5), p8(&b, 12), p16(&b, 0), p64(&b, 0xfee00000);
	tb_end(&b);
	return MACHINE_SIZE + b.len;
}

static struct acpi_info info;

static enum lm_err parse(uint64_t rsdp)
{
	enum lm_err e = acpi_parse(fake_read, fake_warn, &fk, rsdp, &info);

	EXPECT(!fk.bad_message);
	return e;
}

/* The table signatures seen, joined with spaces. */
static const char *tables(void)
{
	static char s[ACPI_MAX_TABLES * 5 + 1];

	s[0] = 0;
	for (uint32_t i = 0; i < info.table_count; i++)
		snprintf(s + strlen(s), sizeof s - strlen(s), "%s%s", i ? " " : "", info.tables[i]);
	return s;
}

#define BASE 0xe0000

/* ----------------------------------------------------------------- tests */

TEST(acpi, v1_rsdt_madt)
{
	reset();
	build_machine(BASE, 0);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 0);
	EXPECT_EQ(info.revision, 0);
	EXPECT_STREQ(info.oem_id, "LMTEST");
	EXPECT_EQ(info.rsdp_phys, BASE);
	EXPECT_STREQ(tables(), "RSDT FACP APIC HPET MCFG WAET");
	/* Each table's OEM ids, for quirks; the FADT's power-off fields. */
	EXPECT_STREQ(info.table_oem[1], "LMTEST");
	EXPECT_STREQ(info.table_oem_table[1], "LEMMINGS");
	ASSERT(info.have_fadt);
	EXPECT_EQ(info.dsdt_phys, 0x7ffe0040);
	EXPECT_EQ(info.pm1a_cnt, 0x604);
	EXPECT_EQ(info.pm1b_cnt, 0);
	EXPECT_EQ(info.smi_cmd, 0xb2);
	EXPECT_EQ(info.acpi_enable, 0xf1);
	ASSERT(info.have_madt);
	EXPECT_EQ(info.lapic_address, 0xfee00000);
	EXPECT(info.pcat_compat);
	ASSERT_EQ(info.cpu_count, 3);   /* the disabled fourth is left out */
	for (uint32_t i = 0; i < 3; i++) {
		EXPECT_EQ(info.cpus[i].apic_id, i);
		EXPECT_EQ(info.cpus[i].uid, i);
		EXPECT(info.cpus[i].enabled);
		EXPECT(!info.cpus[i].online_capable);
	}
	ASSERT_EQ(info.ioapic_count, 1);
	EXPECT_EQ(info.ioapics[0].id, 0);
	EXPECT_EQ(info.ioapics[0].address, 0xfec00000);
	EXPECT_EQ(info.ioapics[0].gsi_base, 0);
	ASSERT_EQ(info.override_count, 2);
	EXPECT_EQ(info.overrides[0].source, 0);
	EXPECT_EQ(info.overrides[0].gsi, 2);
	EXPECT_EQ(info.overrides[0].flags, 0);
	EXPECT_EQ(info.overrides[1].bus, 0);
	EXPECT_EQ(info.overrides[1].source, 9);
	EXPECT_EQ(info.overrides[1].gsi, 9);
	EXPECT_EQ(info.overrides[1].flags, 0xd);
	EXPECT(info.have_hpet);
	ASSERT_EQ(info.mcfg_count, 1);
	EXPECT_EQ(info.mcfg[0].base, 0xb0000000);
}

TEST(acpi, v2_xsdt_preferred_with_64bit_entries)
{
	uint64_t t[2] = {BASE + OFF_MADT, HIGH_BASE + 0x100};
	struct tb b;

	reset();
	build_machine(BASE, 2);
	/* The XSDT lists the MADT and an MCFG above 4 GiB; the RSDT only the
	 * FADT, so anything found came through the XSDT. */
	put_root(BASE + OFF_XSDT, true, t, 2);
	put_root(BASE + OFF_RSDT, false, (uint64_t[]){BASE + OFF_FACP}, 1);
	b = mcfg_begin(HIGH_BASE + 0x100);
	e_mcfg(&b, 0xe0000000, 1, 0, 0x3f);
	tb_end(&b);

	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 0);
	EXPECT_EQ(info.revision, 2);
	EXPECT_STREQ(tables(), "XSDT APIC MCFG");
	EXPECT_EQ(info.cpu_count, 3);
	ASSERT_EQ(info.mcfg_count, 1);
	EXPECT_EQ(info.mcfg[0].base, 0xe0000000);
	EXPECT_EQ(info.mcfg[0].segment, 1);
	EXPECT_EQ(info.mcfg[0].bus_end, 0x3f);
}

TEST(acpi, bad_xsdt_falls_back_to_rsdt)
{
	reset();
	build_machine(BASE, 2);
	*at(BASE + OFF_XSDT + 40) ^= 1;   /* break the XSDT's checksum */
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("XSDT at 0xe0080", "checksum"));
	EXPECT_STREQ(tables(), "RSDT FACP APIC HPET MCFG WAET");
	EXPECT_EQ(info.cpu_count, 3);
}

TEST(acpi, bad_rsdp)
{
	reset();
	build_machine(BASE, 0);
	*at(BASE + 16) ^= 0x40;
	EXPECT_EQ(parse(BASE), LM_ERR_FORMAT);
	EXPECT(warned("RSDP at 0xe0000", "checksum of the first 20 bytes"));

	reset();
	build_machine(BASE, 2);
	*at(BASE + 24) ^= 0x40;   /* in the XSDT address: only the extended sum */
	EXPECT_EQ(parse(BASE), LM_ERR_FORMAT);
	EXPECT(warned("RSDP at 0xe0000", "extended checksum over 36 bytes"));

	reset();
	build_machine(BASE, 2);
	w32(BASE + 20, 20);
	fix_sum(BASE, 20, 8);
	EXPECT_EQ(parse(BASE), LM_ERR_FORMAT);
	EXPECT(warned("RSDP at 0xe0000", "offset 0x14: length 20"));

	reset();
	EXPECT_EQ(parse(BASE), LM_ERR_FORMAT);
	EXPECT(warned("RSDP at 0xe0000", "signature"));
	EXPECT_EQ(parse(LOW_SIZE - 8), LM_ERR_FAULT);
	EXPECT(warned("RSDP at 0xffff8", "not readable"));
	EXPECT_EQ(parse(UINT64_MAX - 3), LM_ERR_FAULT);
}

TEST(acpi, bad_madt_checksum_other_tables_read)
{
	reset();
	build_machine(BASE, 0);
	*at(BASE + OFF_MADT + 50) ^= 0x10;
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("MADT at 0xe0180", "checksum over 114 bytes"));
	EXPECT(!info.have_madt);
	EXPECT_EQ(info.cpu_count, 0);
	EXPECT(info.have_hpet);
	EXPECT_EQ(info.mcfg_count, 1);
	EXPECT_STREQ(tables(), "RSDT FACP HPET MCFG WAET");
}

/* A MADT at BASE + OFF_MADT with one good CPU, then raw bytes. */
static void madt_with_tail(const uint8_t *tail, uint32_t n)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	b = madt_begin(BASE + OFF_MADT);
	e_lapic(&b, 0, 0, 1);
	for (uint32_t i = 0; i < n; i++)
		p8(&b, tail[i]);
	tb_end(&b);
}

TEST(acpi, madt_truncated_entry)
{
	/* A local APIC entry of length 8 with only 4 bytes left. */
	madt_with_tail((const uint8_t[]){0, 8, 1, 1}, 4);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("MADT at 0xe0180", "offset 0x34: entry type 0 of length 8 runs past"));
	EXPECT(info.have_madt);
	EXPECT_EQ(info.cpu_count, 1);

	/* One lone byte after the last entry. */
	madt_with_tail((const uint8_t[]){0}, 1);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT(warned("MADT", "offset 0x34: 1 byte left"));
	EXPECT_EQ(info.cpu_count, 1);
}

TEST(acpi, madt_zero_length_entry_ends_the_walk)
{
	/* Length 0 would never advance; then a good entry that is not reached. */
	madt_with_tail((const uint8_t[]){0, 0, 0, 0, 0, 8, 1, 1, 1, 0, 0, 0}, 12);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("MADT at 0xe0180", "offset 0x34: entry type 0 has length 0"));
	EXPECT_EQ(info.cpu_count, 1);

	madt_with_tail((const uint8_t[]){9, 1, 0, 0}, 4);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT(warned("MADT", "offset 0x34: entry type 9 has length 1, rest of the table ignored"));
}

TEST(acpi, madt_entry_too_short_for_its_type)
{
	/* A local APIC entry of length 6, an unknown type 0x7f, then a good CPU:
	 * the short one is skipped, the unknown one silently. */
	madt_with_tail((const uint8_t[]){0, 6, 1, 1, 1, 0, 0x7f, 3, 0, 0, 8, 2, 2, 1, 0, 0, 0},
		       17);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("MADT at 0xe0180", "offset 0x34: entry type 0 has length 6, needs 8"));
	ASSERT_EQ(info.cpu_count, 2);
	EXPECT_EQ(info.cpus[1].apic_id, 2);
}

TEST(acpi, duplicate_apic_id)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	b = madt_begin(BASE + OFF_MADT);
	e_lapic(&b, 0, 0, 1), e_lapic(&b, 1, 4, 1), e_lapic(&b, 2, 4, 1);
	e_lapic(&b, 3, 0xff, 1);    /* the broadcast id */
	e_lapic(&b, 4, 5, 2);       /* online-capable */
	tb_end(&b);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 2);
	EXPECT(warned("MADT at 0xe0180", "offset 0x3c: APIC id 4 listed again (UID 2)"));
	EXPECT(warned("MADT at 0xe0180", "offset 0x44: usable CPU with the broadcast APIC id 0xff"));
	ASSERT_EQ(info.cpu_count, 3);
	EXPECT_EQ(info.cpus[1].uid, 1);
	EXPECT_EQ(info.cpus[2].apic_id, 5);
	EXPECT(!info.cpus[2].enabled);
	EXPECT(info.cpus[2].online_capable);
}

TEST(acpi, x2apic_and_lapic_address_override)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	b = madt_begin(BASE + OFF_MADT);
	e_lapic(&b, 0, 0, 1);
	e_x2apic(&b, 0x100, 1, 0x10000);
	e_x2apic(&b, 0x12345, 1, 7);
	e_x2apic(&b, 0x200, 0, 8);             /* disabled */
	e_x2apic(&b, 0, 1, 9);                 /* same id as the local APIC */
	p8(&b, 5), p8(&b, 12), p16(&b, 0), p64(&b, 0x1fee00000ull);
	tb_end(&b);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("MADT", "offset 0x64: APIC id 0 listed again"));
	EXPECT_EQ(info.lapic_address, 0x1fee00000ull);
	ASSERT_EQ(info.cpu_count, 3);
	EXPECT_EQ(info.cpus[1].apic_id, 0x100);
	EXPECT_EQ(info.cpus[1].uid, 0x10000);
	EXPECT_EQ(info.cpus[2].apic_id, 0x12345);
	EXPECT_EQ(info.cpus[2].uid, 7);
}

TEST(acpi, too_many_cpus_and_ioapics)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	b = madt_begin(0x10000);
	for (uint32_t i = 0; i < 300; i++)
		e_x2apic(&b, i, 1, i);
	for (uint8_t i = 0; i < 20; i++)
		e_ioapic(&b, i, 0xfec00000 + i * 0x1000u, i * 24u);
	tb_end(&b);
	put_root(BASE + OFF_RSDT, false, (uint64_t[]){0x10000}, 1);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 2);
	EXPECT(warned("MADT at 0x10000", "offset 0x102c: more than 256 CPUs, this and later"));
	EXPECT(warned("MADT at 0x10000", "offset 0x13ac: more than 16 I/O APICs"));
	EXPECT_EQ(info.cpu_count, ACPI_MAX_CPUS);
	EXPECT_EQ(info.cpus[255].apic_id, 255);
	EXPECT_EQ(info.ioapic_count, ACPI_MAX_IOAPICS);
	EXPECT_EQ(info.ioapics[15].gsi_base, 15 * 24);
}

TEST(acpi, hpet)
{
	reset();
	build_machine(BASE, 0);
	ASSERT_EQ(parse(BASE), LM_OK);
	ASSERT(info.have_hpet);
	EXPECT_EQ(info.hpet_address, 0xfed00000);
	EXPECT_EQ(info.hpet_number, 0);
	EXPECT_EQ(info.hpet_min_tick, 0x80);

	put_hpet(BASE + OFF_HPET, 1, 0x1000);   /* in I/O space */
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT(!info.have_hpet);
	EXPECT(warned("HPET at 0xe0200", "offset 0x28: registers in address space 1"));

	put_hpet(BASE + OFF_HPET, 0, 0);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT(!info.have_hpet);
	EXPECT(warned("HPET at 0xe0200", "offset 0x2c: base address is 0"));
}

TEST(acpi, mcfg_two_good_entries_one_bad)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	b = mcfg_begin(0x1000);
	e_mcfg(&b, 0xb0000000, 0, 0, 0xff);
	e_mcfg(&b, 0xc0000000, 1, 0x80, 0x10);   /* reversed */
	e_mcfg(&b, 0xd0000000, 2, 0x10, 0x1f);
	p32(&b, 0);                              /* a stray tail */
	tb_end(&b);
	put_root(BASE + OFF_RSDT, false, (uint64_t[]){0x1000, BASE + OFF_MCFG}, 2);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 3);
	EXPECT(warned("MCFG at 0x1000", "offset 0x3c: entry 1 has bus range 128-16"));
	EXPECT(warned("MCFG at 0x1000", "offset 0x5c: 4 bytes after the last whole entry"));
	EXPECT(warned("MCFG at 0xe0240", "a second MCFG, ignored"));
	ASSERT_EQ(info.mcfg_count, 2);
	EXPECT_EQ(info.mcfg[0].base, 0xb0000000);
	EXPECT_EQ(info.mcfg[1].base, 0xd0000000);
	EXPECT_EQ(info.mcfg[1].segment, 2);
	EXPECT_EQ(info.mcfg[1].bus_start, 0x10);
	EXPECT_EQ(info.mcfg[1].bus_end, 0x1f);
}

TEST(acpi, table_length_beyond_readable_memory)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	/* A MADT near the end of readable memory that claims 64 KiB. */
	b = madt_begin(0x7ff00);
	e_lapic(&b, 0, 0, 1);
	b.len = 0x10000;
	tb_end(&b);
	fk.hole_lo = 0x80000;
	fk.hole_hi = 0xe0000;
	put_root(BASE + OFF_RSDT, false, (uint64_t[]){0x7ff00, 0x7fff0, BASE + OFF_HPET}, 3);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 2);
	EXPECT(warned("MADT at 0x7ff00", "length 65536 runs past readable memory at offset 0x100"));
	EXPECT(warned("RSDT entry 1", "header at 0x7fff0 is not readable"));
	EXPECT(warned("RSDT entry 1", "header at 0x7fff0 is not readable"));
	EXPECT(!info.have_madt);
	EXPECT(info.have_hpet);
}

TEST(acpi, bad_headers)
{
	struct tb b;

	reset();
	build_machine(BASE, 0);
	b = tb_begin(0x1000, "SSDT");
	b.len = 20;   /* shorter than a header */
	tb_end(&b);
	b = tb_begin(0x2000, "SSDT");
	b.len = 2u << 20;
	w32(0x2000 + 4, b.len);
	memcpy(at(0x3000), "\x01XYZ", 4);
	put_root(BASE + OFF_RSDT, false,
		 (uint64_t[]){0x1000, 0x2000, 0x3000, 0, BASE + OFF_MADT, BASE + OFF_MADT}, 6);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 5);
	EXPECT(warned("SSDT at 0x1000", "length 20 is shorter than the 36-byte header"));
	EXPECT(warned("SSDT at 0x2000", "length 2097152 is over the 1 MiB limit"));
	EXPECT(warned("RSDT entry 2", "signature bytes 01 58 59 5a"));
	EXPECT(warned("RSDT at 0xe0040", "offset 0x30: entry 3 is a null pointer"));
	EXPECT(warned("MADT at 0xe0180", "a second MADT"));
	EXPECT_STREQ(tables(), "RSDT APIC APIC");
	EXPECT_EQ(info.cpu_count, 3);

	/* The RSDP points at something that is not an RSDT. */
	put_rsdp(BASE, 0, BASE + OFF_MADT, 0);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT(warned("RSDT at 0xe0180", "signature is \"APIC\""));
	EXPECT_EQ(info.table_count, 0);
	put_rsdp(BASE, 0, 0, 0);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT(warned("RSDP", "RSDT address (offset 0x10) is 0"));
}

TEST(acpi, too_many_tables)
{
	uint64_t list[100];

	reset();
	build_machine(BASE, 0);
	for (int i = 0; i < 100; i++)
		list[i] = BASE + OFF_WAET;
	list[70] = BASE + OFF_MADT;   /* past the limit: not followed */
	put_root(0x1000, false, list, 100);
	put_rsdp(BASE, 0, 0x1000, 0);
	ASSERT_EQ(parse(BASE), LM_OK);
	EXPECT_EQ(fk.nwarn, 1);
	EXPECT(warned("RSDT at 0x1000", "100 entries, only the first 64 followed"));
	EXPECT(!info.have_madt);
	EXPECT_EQ(info.table_count, ACPI_MAX_TABLES);
}

/* Memory that stops being readable at any point of the parse (after the
 * checksum pass, say) yields a warning, never a crash or a bad result. */
TEST(acpi, memory_failing_midway)
{
	long total, later = 0;

	reset();
	build_big_machine(BASE);
	ASSERT_EQ(parse(BASE), LM_OK);
	total = fk.reads;
	fk.quiet = true;
	for (long n = 0; n < total; n++) {
		fk.budget = n;
		fk.nwarn = 0;
		ASSERT_EQ(parse(BASE), n < 3 ? LM_ERR_FAULT : LM_OK);   /* RSDP: 3 reads */
		EXPECT(fk.nwarn >= 1);
		EXPECT(info.cpu_count <= 4);
		later += warned("at 0xe0", "no longer readable");
	}
	EXPECT(later > 0);
}

TEST(acpi, find_rsdp_in_bios_area)
{
	uint64_t phys = 0;

	reset();
	EXPECT_EQ(acpi_find_rsdp(fake_read, &fk, &phys), LM_ERR_NOENT);
	build_machine(0xf5a40, 0);
	memcpy(at(0xe0010), "RSD PTR ", 8);   /* a stray signature, bad checksum */
	ASSERT_EQ(acpi_find_rsdp(fake_read, &fk, &phys), LM_OK);
	EXPECT_EQ(phys, 0xf5a40);
	ASSERT_EQ(parse(phys), LM_OK);
	EXPECT_EQ(info.cpu_count, 3);
	EXPECT_EQ(fk.nwarn, 0);

	/* Only 16-byte boundaries count. */
	reset();
	put_rsdp(0xf5a48, 0, 0, 0);
	EXPECT_EQ(acpi_find_rsdp(fake_read, &fk, &phys), LM_ERR_NOENT);
}

TEST(acpi, find_rsdp_through_ebda)
{
	uint64_t phys = 0;

	reset();
	build_machine(0xf0000, 0);
	w16(0x40e, 0x9fc0);
	put_rsdp(0x9fc00 + 0x3f0, 2, 0xf0000 + OFF_RSDT, 0);   /* the EBDA's last slot */
	ASSERT_EQ(acpi_find_rsdp(fake_read, &fk, &phys), LM_OK);
	EXPECT_EQ(phys, 0x9fff0);
	ASSERT_EQ(parse(phys), LM_OK);
	EXPECT_EQ(info.revision, 2);
	EXPECT_EQ(info.cpu_count, 3);

	/* Past the first KiB of the EBDA it is not looked for. */
	memset(at(0x9fff0), 0, 36);
	put_rsdp(0x9fc00 + 0x400, 0, 0, 0);
	ASSERT_EQ(acpi_find_rsdp(fake_read, &fk, &phys), LM_OK);
	EXPECT_EQ(phys, 0xf0000);
}

TEST(acpi, multiboot_copy)
{
	uint8_t copy[64];

	reset();
	build_machine(BASE, 2);
	memcpy(copy, at(BASE), 36);
	memset(at(BASE), 0, 36);   /* only the copy is left */

	/* The old-RSDP tag: 20 bytes of a revision 2 RSDP; the RSDT is used. */
	ASSERT_EQ(acpi_parse_rsdp_copy(fake_read, fake_warn, &fk, copy, 20, &info), LM_OK);
	EXPECT_EQ(fk.nwarn, 0);
	EXPECT_EQ(info.rsdp_phys, 0);
	EXPECT_EQ(info.revision, 2);
	EXPECT_STREQ(info.oem_id, "LMTEST");
	EXPECT_STREQ(tables(), "RSDT FACP APIC HPET MCFG WAET");

	/* The new-RSDP tag: the XSDT is used. */
	ASSERT_EQ(acpi_parse_rsdp_copy(fake_read, fake_warn, &fk, copy, 36, &info), LM_OK);
	EXPECT_EQ(fk.nwarn, 0);
	EXPECT_STREQ(tables(), "XSDT FACP APIC HPET MCFG WAET");
	EXPECT_EQ(info.cpu_count, 3);

	EXPECT_EQ(acpi_parse_rsdp_copy(fake_read, fake_warn, &fk, copy, 19, &info),
		  LM_ERR_FORMAT);
	EXPECT(warned("RSDP copy", "19 bytes"));
	copy[20] = 40;   /* claims more than the 36 bytes given */
	EXPECT_EQ(acpi_parse_rsdp_copy(fake_read, fake_warn, &fk, copy, 36, &info),
		  LM_ERR_FORMAT);
	EXPECT(warned("RSDP copy", "length 40 runs past the readable bytes (offset 0x24)"));
}

/* The fuzzer's seeds: each image is mapped at 0xe0000 and must parse
 * (the big one with its two "more than" warnings). With ACPI_SEED_DIR set
 * they are written there. */
TEST(acpi, seeds)
{
	const char *dir = getenv("ACPI_SEED_DIR");
	static const char *const names[] = {"qemu-v1", "qemu-v2", "big-x2apic"};
	char path[512];
	uint64_t phys;
	uint32_t size;

	for (size_t i = 0; i < 3; i++) {
		reset();
		size = MACHINE_SIZE;
		if (i < 2)
			build_machine(BASE, i ? 2 : 0);
		else
			size = build_big_machine(BASE);
		fk.limit = BASE + size;
		ASSERT_EQ(acpi_find_rsdp(fake_read, &fk, &phys), LM_OK);
		ASSERT_EQ(parse(phys), LM_OK);
		EXPECT_EQ(fk.nwarn, i < 2 ? 0 : 2);
		EXPECT_EQ(info.cpu_count, i < 2 ? 3 : 4);
		EXPECT_EQ(info.table_count, i < 2 ? 6 : 4);
		if (dir) {
			FILE *f;

			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			f = fopen(path, "wb");
			ASSERT(f);
			EXPECT_EQ(fwrite(at(BASE), 1, size, f), size);
			fclose(f);
		}
	}
}

/* \_S5 in AML: QEMU's shape (Name(\_S5, Package(4){0, 0, 0, 0}) is
 * 08 5c 5f 53 35 5f 12 06 04 00 00 00 00; SeaBIOS's q35 DSDT has
 * Name(_S5, Package(4){0x05, 0x05, 0, 0})), a byte prefix, a lone element,
 * a bare \_S5 that is not a Name, and truncations. */
TEST(acpi, s5_sleep_types)
{
	static const uint8_t qemu[] = {0x10, 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
				       0x00, 0x00, 0x00, 0x00};
	static const uint8_t bytes[] = {0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a, 0x05,
					0x0a, 0x07, 0x00, 0x00};
	static const uint8_t one[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x01};
	static const uint8_t method[] = {0x14, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x01};
	static const uint8_t wide[] = {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x0b,
				       0x06, 0x00, 0x0c, 0x03, 0, 0, 0};
	uint8_t a = 9, b = 9;

	EXPECT_EQ(acpi_s5_find(qemu, sizeof qemu, &a, &b), LM_OK);
	EXPECT_EQ(a, 0);
	EXPECT_EQ(b, 0);
	EXPECT_EQ(acpi_s5_find(bytes, sizeof bytes, &a, &b), LM_OK);
	EXPECT_EQ(a, 5);
	EXPECT_EQ(b, 7);
	EXPECT_EQ(acpi_s5_find(one, sizeof one, &a, &b), LM_OK);
	EXPECT_EQ(a, 1);
	EXPECT_EQ(b, 1);
	EXPECT_EQ(acpi_s5_find(wide, sizeof wide, &a, &b), LM_OK); /* two-byte PkgLength */
	EXPECT_EQ(a, 6);
	EXPECT_EQ(b, 3);
	EXPECT_EQ(acpi_s5_find(method, sizeof method, &a, &b), LM_ERR_NOENT);
	for (size_t n = 0; n < sizeof bytes - 3; n++)
		EXPECT(acpi_s5_find(bytes, n, &a, &b) != LM_OK);
}
