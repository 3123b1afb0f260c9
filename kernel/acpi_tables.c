/*
 * What the kernel reads in the ACPI tables that kernel/acpi.c has found and
 * checked: the MADT (harts, I/O APICs, interrupt overrides), the HPET and
 * the MCFG. Each entry is checked against the table's end and its type's
 * size before it is used; a bad one gets a warning naming the table and the
 * offset, and the rest of the table is still read where that is safe.
 */
#include "kernel/acpi_parser.h"
#include "lib/string.h"

/* ------------------------------------------------------------------ MADT */

/* Size of each MADT entry type handled; 0 for the types skipped. */
static const uint8_t madt_entry_len[10] = {
	[0] = 8,    /* processor local APIC */
	[1] = 12,   /* I/O APIC */
	[2] = 10,   /* interrupt source override */
	[4] = 6,    /* local APIC NMI */
	[5] = 12,   /* local APIC address override */
	[9] = 16,   /* processor local x2APIC */
};

/* Is there room for one more in a list of count out of max? If not, the
 * first time, say so: what is lost is this entry and those after it. */
static bool room(struct parser *p, const struct sdt *t, uint32_t off, uint32_t count,
		 uint32_t max, bool *warned, const char *what)
{
	if (count < max)
		return true;
	if (!*warned)
		acpi_twarn(p, t, off, "more than %u %s, this and later ones ignored", max, what);
	*warned = true;
	return false;
}

static void madt_cpu(struct parser *p, const struct sdt *t, uint32_t off, uint32_t id,
		     uint32_t uid, uint32_t flags, bool x2)
{
	struct acpi_info *o = p->out;
	struct acpi_cpu *c;
	uint32_t i;

	if (!(flags & 3))
		return;   /* neither enabled nor online-capable: not there */
	if (id == (x2 ? UINT32_MAX : 0xffu)) {
		acpi_twarn(p, t, off, "usable CPU with the broadcast APIC id 0x%x, ignored", id);
		return;
	}
	for (i = 0; i < o->cpu_count; i++) {
		if (o->cpus[i].apic_id == id) {
			acpi_twarn(p, t, off, "APIC id %u listed again (UID %u), ignored", id, uid);
			return;
		}
	}
	if (!room(p, t, off, o->cpu_count, ACPI_MAX_CPUS, &p->cpus_full, "CPUs"))
		return;
	c = &o->cpus[o->cpu_count++];
	c->apic_id = id;
	c->uid = uid;
	c->enabled = flags & 1;
	c->online_capable = (flags & 2) != 0;
}

/* One entry of len bytes, known to lie inside the table. Entries
 * longer than their type's size are taken (later revisions may append
 * fields); shorter ones are skipped. */
static void madt_entry(struct parser *p, const struct sdt *t, uint32_t off, const uint8_t *e,
		       uint32_t len)
{
	struct acpi_info *o = p->out;
	struct acpi_ioapic *io;
	struct acpi_override *ov;
	uint8_t type = e[0];

	if (type >= sizeof madt_entry_len || !madt_entry_len[type])
		return;   /* a type the kernel has no use for */
	if (len < madt_entry_len[type]) {
		acpi_twarn(p, t, off, "entry type %u has length %u, needs %u", type, len,
		      madt_entry_len[type]);
		return;
	}
	switch (type) {
	case 0:
		madt_cpu(p, t, off, e[3], e[2], le32(e + 4), false);
		break;
	case 1:
		if (!room(p, t, off, o->ioapic_count, ACPI_MAX_IOAPICS, &p->ioapics_full,
			  "I/O APICs"))
			break;
		io = &o->ioapics[o->ioapic_count++];
		io->id = e[2];
		io->address = le32(e + 4);
		io->gsi_base = le32(e + 8);
		break;
	case 2:
		if (!room(p, t, off, o->override_count, ACPI_MAX_OVERRIDES,
			  &p->overrides_full, "interrupt overrides"))
			break;
		ov = &o->overrides[o->override_count++];
		ov->bus = e[2];
		ov->source = e[3];
		ov->gsi = le32(e + 4);
		ov->flags = le16(e + 8);
		break;
	case 5:
		o->lapic_address = le64(e + 4);
		break;
	case 9:
		madt_cpu(p, t, off, le32(e + 4), le32(e + 12), le32(e + 8), true);
		break;
	default:
		break;   /* 4, NMI wiring: the kernel does not use NMIs */
	}
}

void acpi_madt_parse(struct parser *p, const struct sdt *t)
{
	uint8_t e[256];
	uint32_t off, len;

	if (p->seen_madt) {
		acpi_twarn(p, t, WHOLE, "a second MADT, ignored");
		return;
	}
	p->seen_madt = true;
	if (t->len < MADT_FIXED_LEN) {
		acpi_twarn(p, t, WHOLE, "length %u is too short for the 44-byte fixed part", t->len);
		return;
	}
	if (!acpi_table_read(p, t, SDT_HEADER_LEN, e, 8))
		return;
	p->out->have_madt = true;
	p->out->lapic_address = le32(e);
	p->out->pcat_compat = le32(e + 4) & 1;

	for (off = MADT_FIXED_LEN; off < t->len; off += len) {
		if (t->len - off < 2) {
			acpi_twarn(p, t, off, "1 byte left, too short for an entry");
			return;
		}
		if (!acpi_table_read(p, t, off, e, 2))
			return;
		len = e[1];
		if (len < 2) {
			/* Without a length there is no next entry to go to. */
			acpi_twarn(p, t, off, "entry type %u has length %u, rest of the table ignored",
			      e[0], len);
			return;
		}
		if (len > t->len - off) {
			acpi_twarn(p, t, off, "entry type %u of length %u runs past the table end at 0x%x",
			      e[0], len, t->len);
			return;
		}
		/* Read whole; len stays what was checked even if memory changed. */
		if (!acpi_table_read(p, t, off, e, len))
			return;
		madt_entry(p, t, off, e, len);
	}
}

/* ------------------------------------------------------------ HPET, MCFG */

void acpi_hpet_parse(struct parser *p, const struct sdt *t)
{
	struct acpi_info *o = p->out;
	uint8_t b[HPET_LEN - SDT_HEADER_LEN];
	uint64_t addr;

	if (o->have_hpet)
		return;   /* more event timer blocks: the first is enough */
	if (t->len < HPET_LEN) {
		acpi_twarn(p, t, WHOLE, "length %u is too short for the 56-byte table", t->len);
		return;
	}
	if (!acpi_table_read(p, t, SDT_HEADER_LEN, b, sizeof b))
		return;
	/* b[4..15] is the Generic Address Structure of the registers. */
	if (b[4] != 0) {
		acpi_twarn(p, t, 0x28, "registers in address space %u, not memory", b[4]);
		return;
	}
	addr = le64(b + 8);
	if (!addr) {
		acpi_twarn(p, t, 0x2c, "base address is 0");
		return;
	}
	o->have_hpet = true;
	o->hpet_address = addr;
	o->hpet_number = b[16];
	o->hpet_min_tick = le16(b + 17);
}

void acpi_mcfg_parse(struct parser *p, const struct sdt *t)
{
	struct acpi_info *o = p->out;
	uint8_t e[MCFG_ENTRY_LEN];
	uint32_t n, i, off;
	struct acpi_mcfg *m;

	if (p->seen_mcfg) {
		acpi_twarn(p, t, WHOLE, "a second MCFG, ignored");
		return;
	}
	p->seen_mcfg = true;
	if (t->len < MCFG_FIXED_LEN) {
		acpi_twarn(p, t, WHOLE, "length %u is too short for the 44-byte fixed part", t->len);
		return;
	}
	n = (t->len - MCFG_FIXED_LEN) / MCFG_ENTRY_LEN;
	if ((t->len - MCFG_FIXED_LEN) % MCFG_ENTRY_LEN)
		acpi_twarn(p, t, MCFG_FIXED_LEN + n * MCFG_ENTRY_LEN,
		      "%u bytes after the last whole entry ignored",
		      (t->len - MCFG_FIXED_LEN) % MCFG_ENTRY_LEN);
	for (i = 0; i < n; i++) {
		off = MCFG_FIXED_LEN + i * MCFG_ENTRY_LEN;
		if (!acpi_table_read(p, t, off, e, sizeof e))
			return;
		if (e[10] > e[11]) {
			acpi_twarn(p, t, off, "entry %u has bus range %u-%u, start after end", i, e[10], e[11]);
			continue;
		}
		if (!room(p, t, off, o->mcfg_count, ACPI_MAX_MCFG, &p->mcfg_full, "entries"))
			return;
		m = &o->mcfg[o->mcfg_count++];
		m->base = le64(e);
		m->segment = le16(e + 8);
		m->bus_start = e[10];
		m->bus_end = e[11];
	}
}
