/*
 * ACPI table parser (interface and what is read in acpi.h).
 *
 * All memory is reached through the caller's read callback, in pieces of at
 * most 256 bytes into buffers on the stack, so a table of any length costs
 * no memory and nothing outside what read() grants is ever touched. A table
 * is read twice: once whole for its checksum, then field by field; every
 * read is checked again, since the second may fail too.
 *
 * Trust is earned in order: the RSDP's signature and checksums, then each
 * table's header (signature, a length between the header size and 1 MiB,
 * the checksum over that length), then each MADT entry's length against the
 * table's end and its type's size. Anything bad is reported through the
 * warn callback, one line per problem, "<table> at 0x<phys>[, offset 0x<n>]:
 * <what>", and skipped; parsing goes on with the rest.
 *
 * No global state: the parser's state is a struct on the caller's stack.
 */
#include <stdarg.h>

#include "kernel/acpi.h"
#include "kernel/acpi_parser.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096
#define CHUNK 256

/* What the RSDP says. */
struct rsdp {
	uint8_t revision;
	char oem_id[7];
	uint32_t rsdt;
	uint64_t xsdt;   /* 0 unless revision >= 2 and the whole RSDP checked */
};

/* Copy-of-the-RSDP reader for acpi_parse_rsdp_copy: offsets into the copy. */
struct copy_src {
	const uint8_t *bytes;
	size_t len;
};

static bool printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

static void warnf(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(struct parser *p, const char *fmt, ...)
{
	char msg[ACPI_WARN_MAX];
	va_list ap;

	if (!p->warn)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->warn(p->ctx, msg);
}

void acpi_twarn(struct parser *p, const struct sdt *t, uint32_t off, const char *fmt, ...)
{
	char msg[ACPI_WARN_MAX];
	size_t n;
	va_list ap;

	if (!p->warn)
		return;
	if (off == WHOLE)
		n = fmt_snprintf(msg, sizeof msg, "%s at 0x%llx: ", t->name, ull(t->phys));
	else
		n = fmt_snprintf(msg, sizeof msg, "%s at 0x%llx, offset 0x%x: ", t->name,
				 ull(t->phys), off);
	va_start(ap, fmt);
	fmt_vsnprintf(msg + n, sizeof msg - n, fmt, ap);   /* n < 50 */
	va_end(ap);
	p->warn(p->ctx, msg);
}

/* read(), refusing ranges that wrap around the address space so that the
 * callback need not think about it. */
static bool rd(acpi_read_fn *read, void *ctx, uint64_t phys, void *buf, size_t len)
{
	if (phys > UINT64_MAX - len)
		return false;
	return read(ctx, phys, buf, len);
}

static bool copy_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct copy_src *c = ctx;

	if (off > c->len || len > c->len - off)
		return false;
	memcpy(buf, c->bytes + off, len);
	return true;
}

/* The byte sum of [phys, phys + len), read in pieces. False if some byte
 * is not readable, with *bad at the offset of the first. */
static bool sum_bytes(acpi_read_fn *read, void *ctx, uint64_t phys, uint32_t len,
		      uint8_t *sum, uint32_t *bad)
{
	uint8_t buf[CHUNK], s = 0;
	uint32_t off = 0, n, i;

	while (off < len) {
		n = len - off < CHUNK ? len - off : CHUNK;
		if (!rd(read, ctx, phys + off, buf, n)) {
			/* Find the first bad byte, for the message. */
			for (i = 0; i < n - 1 && rd(read, ctx, phys + off + i, buf, 1); i++)
				;
			*bad = off + i;
			return false;
		}
		for (i = 0; i < n; i++)
			s = (uint8_t)(s + buf[i]);
		off += n;
	}
	*sum = s;
	return true;
}

/* ------------------------------------------------------------------ RSDP */

/*
 * Check the RSDP at addr (read through read/rctx). copy: addr is an offset
 * into a copy, and a copy too short for the revision 2 part is taken as the
 * ACPI 1.0 part alone.
 */
static enum lm_err rsdp_check(struct parser *p, acpi_read_fn *read, void *rctx,
			      uint64_t addr, bool copy, struct rsdp *r)
{
	enum lm_err unreadable = copy ? LM_ERR_FORMAT : LM_ERR_FAULT;
	uint8_t b[RSDP_V2_LEN], sum = 0;
	uint32_t len, bad, i;
	char where[40];

	if (copy)
		fmt_snprintf(where, sizeof where, "RSDP copy");
	else
		fmt_snprintf(where, sizeof where, "RSDP at 0x%llx", ull(addr));
	if (!rd(read, rctx, addr, b, RSDP_V1_LEN)) {
		warnf(p, "%s: its 20 bytes are not readable", where);
		return unreadable;
	}
	if (memcmp(b, "RSD PTR ", 8)) {
		warnf(p, "%s: no \"RSD PTR \" signature", where);
		return LM_ERR_FORMAT;
	}
	for (i = 0; i < RSDP_V1_LEN; i++)
		sum = (uint8_t)(sum + b[i]);
	if (sum) {
		warnf(p, "%s: checksum of the first 20 bytes is 0x%02x, not 0", where, sum);
		return LM_ERR_FORMAT;
	}
	r->revision = b[15];
	for (i = 0; i < 6; i++)
		r->oem_id[i] = printable(b[9 + i]) ? (char)b[9 + i] : '?';
	r->oem_id[6] = 0;
	r->rsdt = le32(b + 16);
	r->xsdt = 0;
	if (r->revision < 2)
		return LM_OK;

	if (!rd(read, rctx, addr, b, RSDP_V2_LEN)) {
		if (copy)
			return LM_OK;   /* Multiboot 2's old-RSDP tag: 20 bytes */
		warnf(p, "%s: revision %u, but its 36 bytes are not readable", where,
		      r->revision);
		return unreadable;
	}
	len = le32(b + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		warnf(p, "%s: offset 0x14: length %u is not between 36 and %u", where, len,
		      RSDP_MAX_LEN);
		return LM_ERR_FORMAT;
	}
	if (!sum_bytes(read, rctx, addr, len, &sum, &bad)) {
		warnf(p, "%s: length %u runs past the readable bytes (offset 0x%x)", where,
		      len, bad);
		return unreadable;
	}
	if (sum) {
		warnf(p, "%s: extended checksum over %u bytes is 0x%02x, not 0", where, len,
		      sum);
		return LM_ERR_FORMAT;
	}
	r->xsdt = le64(b + 24);
	return LM_OK;
}

static bool rsdp_valid_at(acpi_read_fn *read, void *ctx, uint64_t phys)
{
	struct parser quiet = {.read = read, .ctx = ctx};
	struct rsdp r;
	uint8_t sig[8];

	if (!rd(read, ctx, phys, sig, sizeof sig) || memcmp(sig, "RSD PTR ", 8))
		return false;
	return rsdp_check(&quiet, read, ctx, phys, false, &r) == LM_OK;
}

enum lm_err acpi_find_rsdp(acpi_read_fn *read, void *ctx, uint64_t *rsdp_phys)
{
	uint8_t seg[2];
	uint64_t ebda, a;

	/* The BIOS data area's EBDA segment; ignored unless it points into
	 * conventional memory above the BIOS data area. */
	if (rd(read, ctx, 0x40e, seg, sizeof seg)) {
		ebda = (uint64_t)le16(seg) << 4;
		if (ebda >= 0x500 && ebda < 0xa0000) {
			for (a = ebda; a < ebda + 1024; a += 16) {
				if (rsdp_valid_at(read, ctx, a)) {
					*rsdp_phys = a;
					return LM_OK;
				}
			}
		}
	}
	for (a = 0xe0000; a < 0x100000; a += 16) {
		if (rsdp_valid_at(read, ctx, a)) {
			*rsdp_phys = a;
			return LM_OK;
		}
	}
	return LM_ERR_NOENT;
}

/* ---------------------------------------------------------------- tables */

bool acpi_table_read(struct parser *p, const struct sdt *t, uint32_t off, void *buf,
		       uint32_t len)
{
	if (rd(p->read, p->ctx, t->phys + off, buf, len))
		return true;
	acpi_twarn(p, t, off, "no longer readable");
	return false;
}

/* Check the header and checksum of the table at phys, which from (e.g.
 * "RSDT entry 3") points to. */
static bool table_check(struct parser *p, uint64_t phys, const char *from, struct sdt *t)
{
	uint8_t h[SDT_HEADER_LEN], sum;
	uint32_t i, bad;

	t->phys = phys;
	if (!rd(p->read, p->ctx, phys, h, sizeof h)) {
		warnf(p, "%s: table header at 0x%llx is not readable", from, ull(phys));
		return false;
	}
	for (i = 0; i < 4; i++) {
		if (!printable(h[i])) {
			warnf(p, "%s: table at 0x%llx has signature bytes %02x %02x %02x %02x, not text",
			      from, ull(phys), h[0], h[1], h[2], h[3]);
			return false;
		}
		t->sig[i] = (char)h[i];
	}
	t->sig[4] = 0;
	t->name = memcmp(t->sig, "APIC", 4) ? t->sig : "MADT";
	t->len = le32(h + 4);
	if (t->len < SDT_HEADER_LEN) {
		acpi_twarn(p, t, WHOLE, "length %u is shorter than the 36-byte header", t->len);
		return false;
	}
	if (t->len > ACPI_MAX_TABLE_LEN) {
		acpi_twarn(p, t, WHOLE, "length %u is over the 1 MiB limit", t->len);
		return false;
	}
	if (!sum_bytes(p->read, p->ctx, phys, t->len, &sum, &bad)) {
		acpi_twarn(p, t, WHOLE, "length %u runs past readable memory at offset 0x%x", t->len,
		      bad);
		return false;
	}
	if (sum) {
		acpi_twarn(p, t, WHOLE, "checksum over %u bytes is 0x%02x, not 0", t->len, sum);
		return false;
	}
	return true;
}

/* n header bytes as text: non-printable ones as '?', trailing blanks cut. */
static void header_text(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = printable(b[i]) ? (char)b[i] : '?';
	while (i > 0 && out[i - 1] == ' ')
		i--;
	out[i] = 0;
}

static void table_record(struct parser *p, const struct sdt *t)
{
	struct acpi_info *o = p->out;
	uint8_t h[SDT_HEADER_LEN];
	uint32_t i = o->table_count;

	if (i >= ACPI_MAX_TABLES)
		return;
	memcpy(o->tables[i], t->sig, 5);
	o->table_oem[i][0] = o->table_oem_table[i][0] = 0;
	if (rd(p->read, p->ctx, t->phys, h, sizeof h)) {
		header_text(o->table_oem[i], h + 10, 6);
		header_text(o->table_oem_table[i], h + 16, 8);
	}
	o->table_count++;
}

/* The FADT's PM1 control blocks and DSDT (ACPI 6.5 table 5.9: DSDT at 40,
 * SMI_CMD at 48, ACPI_ENABLE at 52, PM1a_CNT_BLK at 64, PM1b_CNT_BLK at 68, X_DSDT at 140 when the table is
 * that long). */
static void fadt_parse(struct parser *p, const struct sdt *t)
{
	struct acpi_info *o = p->out;
	uint8_t b[8];

	if (t->len < 72) {
		acpi_twarn(p, t, WHOLE, "length %u is too short for the PM1 control blocks", t->len);
		return;
	}
	if (!acpi_table_read(p, t, 40, b, 4))
		return;
	o->dsdt_phys = le32(b);
	if (!acpi_table_read(p, t, 64, b, 8))
		return;
	o->pm1a_cnt = le32(b);
	o->pm1b_cnt = le32(b + 4);
	if (acpi_table_read(p, t, 48, b, 5)) {
		o->smi_cmd = le32(b);
		o->acpi_enable = b[4];
	}
	if (t->len >= 148 && acpi_table_read(p, t, 140, b, 8) && le64(b))
		o->dsdt_phys = le64(b);
	o->have_fadt = true;
}

/* ------------------------------------------------------------ RSDT, XSDT */

static void table_visit(struct parser *p, uint64_t phys, const char *from)
{
	struct sdt t;

	if (!table_check(p, phys, from, &t))
		return;
	table_record(p, &t);
	if (!memcmp(t.sig, "APIC", 4))
		acpi_madt_parse(p, &t);
	else if (!memcmp(t.sig, "HPET", 4))
		acpi_hpet_parse(p, &t);
	else if (!memcmp(t.sig, "MCFG", 4))
		acpi_mcfg_parse(p, &t);
	else if (!memcmp(t.sig, "FACP", 4) && !p->out->have_fadt)
		fadt_parse(p, &t);
}

/* Follow the RSDT (32-bit entries) or XSDT (64-bit) at phys. False if the
 * table itself is bad, so that the caller may try the other one. */
static bool root_walk(struct parser *p, uint64_t phys, bool xsdt)
{
	const char *want = xsdt ? "XSDT" : "RSDT";
	uint32_t size = xsdt ? 8 : 4, n, i, off, rest;
	struct sdt root;
	uint8_t b[8];
	uint64_t addr;
	char from[32];

	fmt_snprintf(from, sizeof from, "RSDP's %s pointer", want);
	if (!table_check(p, phys, from, &root))
		return false;
	if (memcmp(root.sig, want, 4)) {
		warnf(p, "%s at 0x%llx: signature is \"%s\", not \"%s\"", want, ull(phys),
		      root.sig, want);
		return false;
	}
	table_record(p, &root);
	n = (root.len - SDT_HEADER_LEN) / size;
	rest = (root.len - SDT_HEADER_LEN) % size;
	if (rest)
		acpi_twarn(p, &root, SDT_HEADER_LEN + n * size,
		      "%u bytes after the last whole entry ignored", rest);
	if (n > ACPI_MAX_FOLLOW) {
		acpi_twarn(p, &root, WHOLE, "%u entries, only the first %u followed", n, ACPI_MAX_FOLLOW);
		n = ACPI_MAX_FOLLOW;
	}
	for (i = 0; i < n; i++) {
		off = SDT_HEADER_LEN + i * size;
		if (!acpi_table_read(p, &root, off, b, size))
			return true;
		addr = xsdt ? le64(b) : le32(b);
		if (!addr) {
			acpi_twarn(p, &root, off, "entry %u is a null pointer", i);
			continue;
		}
		fmt_snprintf(from, sizeof from, "%s entry %u", want, i);
		table_visit(p, addr, from);
	}
	return true;
}

static void parse_tables(struct parser *p, const struct rsdp *r)
{
	p->out->revision = r->revision;
	memcpy(p->out->oem_id, r->oem_id, sizeof r->oem_id);
	if (r->xsdt && root_walk(p, r->xsdt, true))
		return;
	if (!r->rsdt) {
		warnf(p, "RSDP: RSDT address (offset 0x10) is 0, no tables");
		return;
	}
	root_walk(p, r->rsdt, false);
}

static void parser_init(struct parser *p, acpi_read_fn *read, acpi_warn_fn *warn, void *ctx,
			struct acpi_info *out)
{
	memset(p, 0, sizeof *p);
	p->read = read;
	p->warn = warn;
	p->ctx = ctx;
	p->out = out;
	memset(out, 0, sizeof *out);
}

enum lm_err acpi_parse(acpi_read_fn *read, acpi_warn_fn *warn, void *ctx, uint64_t rsdp_phys,
		       struct acpi_info *out)
{
	struct parser p;
	struct rsdp r;
	enum lm_err e;

	parser_init(&p, read, warn, ctx, out);
	e = rsdp_check(&p, read, ctx, rsdp_phys, false, &r);
	if (e)
		return e;
	out->rsdp_phys = rsdp_phys;
	parse_tables(&p, &r);
	return LM_OK;
}

enum lm_err acpi_parse_rsdp_copy(acpi_read_fn *read, acpi_warn_fn *warn, void *ctx,
				 const void *rsdp, size_t rsdp_len, struct acpi_info *out)
{
	struct copy_src src = {rsdp, rsdp_len};
	struct parser p;
	struct rsdp r;
	enum lm_err e;

	parser_init(&p, read, warn, ctx, out);
	if (!rsdp || rsdp_len < RSDP_V1_LEN) {
		warnf(&p, "RSDP copy: %zu bytes, shorter than the 20-byte RSDP", rsdp ? rsdp_len : 0);
		return LM_ERR_FORMAT;
	}
	e = rsdp_check(&p, copy_read, &src, 0, true, &r);
	if (e)
		return e;
	parse_tables(&p, &r);
	return LM_OK;
}
