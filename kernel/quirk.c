/*
 * Reading a quirk's header and matching it against a machine (quirk.h).
 *
 * The header is the run of comment lines at the top of the file; the
 * language skips them, so the whole file runs as the quirk's body with its
 * line numbers intact. Every byte is checked here before anything is kept:
 * a value is printable ASCII and fits its field, a number is decimal or
 * 0x hex and in range, a PCI id is exactly four hex digits, a colon and
 * four more.
 */
#include "kernel/quirk.h"

#include "lib/fmt.h"
#include "lib/glob.h"
#include "lib/string.h"

static const char *const stage_names[STAGE_COUNT] = {
	[STAGE_ACPI] = "acpi", [STAGE_HARTS] = "harts", [STAGE_SCHED] = "sched",
	[STAGE_PROGRAMS] = "programs",
};

static const char *const key_names[QUIRK_KEY_COUNT] = {
	[QUIRK_ACPI_OEM] = "acpi.oem", [QUIRK_ACPI_TABLE] = "acpi.table",
	[QUIRK_SMBIOS_VENDOR] = "smbios.vendor", [QUIRK_SMBIOS_PRODUCT] = "smbios.product",
	[QUIRK_CPU_VENDOR] = "cpu.vendor", [QUIRK_CPU_FAMILY] = "cpu.family",
	[QUIRK_CPU_MODEL] = "cpu.model", [QUIRK_HYPERVISOR] = "hypervisor",
	[QUIRK_PCI] = "pci",
};

const char *stage_name(enum stage s)
{
	return (unsigned)s < STAGE_COUNT ? stage_names[s] : "?";
}

static bool same(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(s, name, len) == 0;
}

bool stage_parse(const char *s, size_t len, enum stage *out)
{
	for (int i = 0; i < STAGE_COUNT; i++)
		if (same(s, len, stage_names[i])) {
			*out = (enum stage)i;
			return true;
		}
	return false;
}

/* One line being read: [s, end), its number, the column of s. */
struct cursor {
	const char *line, *s, *end;
	uint32_t no;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct cursor *c)
{
	while (c->s < c->end && blank(*c->s))
		c->s++;
}

static uint32_t col(const struct cursor *c, const char *at)
{
	return (uint32_t)(at - c->line) + 1;
}

static enum lm_err fail(struct quirk_error *err, const struct cursor *c, const char *at,
			const char *what)
{
	err->line = c->no;
	err->col = col(c, at);
	fmt_snprintf(err->what, sizeof err->what, "%s", what);
	return LM_ERR_FORMAT;
}

/* The next blank-separated word: [*w, c->s). */
static size_t word(struct cursor *c, const char **w)
{
	skip_blanks(c);
	*w = c->s;
	while (c->s < c->end && !blank(*c->s))
		c->s++;
	return (size_t)(c->s - *w);
}

/* The rest of the line without its blanks at either end, into out (NUL
 * terminated): printable ASCII only, at most size - 1 bytes. */
static enum lm_err rest(struct cursor *c, char *out, size_t size, struct quirk_error *err)
{
	const char *end = c->end;
	size_t n;

	skip_blanks(c);
	while (end > c->s && blank(end[-1]))
		end--;
	n = (size_t)(end - c->s);
	if (n >= size)
		return fail(err, c, c->s, "value too long");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)c->s[i] < 0x20 || (unsigned char)c->s[i] > 0x7e)
			return fail(err, c, c->s + i, "control or non-ASCII byte in the value");
	memcpy(out, c->s, n);
	out[n] = 0;
	return LM_OK;
}

/* A number (decimal, or hex after 0x) up to max. */
static bool number(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = fmt_hex_digit(s[i]);

		if (d < 0 || (unsigned)d >= base)
			return false;
		v = v * base + (unsigned)d;
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* vvvv:dddd, hex. */
static bool pci_id(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;

	if (len != 9 || s[4] != ':')
		return false;
	for (size_t i = 0; i < 9; i++) {
		int d;

		if (i == 4)
			continue;
		if ((d = fmt_hex_digit(s[i])) < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

static enum lm_err parse_match(struct cursor *c, struct quirk_header *h,
			       struct quirk_error *err)
{
	struct quirk_match *m;
	const char *k, *v;
	size_t klen, vlen;
	int key = -1;

	klen = word(c, &k);
	if (!klen)
		return fail(err, c, k, "match: needs a key and a value");
	for (int i = 0; i < QUIRK_KEY_COUNT; i++)
		if (same(k, klen, key_names[i]))
			key = i;
	if (key < 0)
		return fail(err, c, k, "unknown match key (acpi.oem acpi.table smbios.vendor "
				       "smbios.product cpu.vendor cpu.family cpu.model hypervisor pci)");
	if (h->nmatch == QUIRK_MATCH_MAX)
		return fail(err, c, k, "too many match lines (8 at most)");
	m = &h->match[h->nmatch];
	memset(m, 0, sizeof *m);
	m->key = (uint8_t)key;
	skip_blanks(c);
	if (c->s == c->end)
		return fail(err, c, c->s, "match: the key needs a value");
	if (key == QUIRK_CPU_FAMILY || key == QUIRK_CPU_MODEL || key == QUIRK_PCI) {
		const char *at = c->s;

		vlen = word(c, &v);
		if (key == QUIRK_PCI ? !pci_id(v, vlen, &m->number)
				     : !number(v, vlen, 0xffff, &m->number))
			return fail(err, c, at, key == QUIRK_PCI ? "a PCI id is vvvv:dddd in hex"
								 : "bad number");
		skip_blanks(c);
		if (c->s != c->end)
			return fail(err, c, c->s, "one value only");
		memcpy(m->text, v, vlen); /* at most 10 bytes, checked above */
		m->text[vlen] = 0;
	} else if (rest(c, m->text, sizeof m->text, err)) {
		return LM_ERR_FORMAT;
	}
	h->nmatch++;
	return LM_OK;
}

/* One header line, after its backslash: a field or a comment. */
static enum lm_err parse_field(struct cursor *c, struct quirk_header *h, bool *have_stage,
			       struct quirk_error *err)
{
	const char *f, *v;
	size_t flen, vlen;

	flen = word(c, &f);
	if (!flen || f[flen - 1] != ':')
		return LM_OK; /* a comment */
	if (same(f, flen, "quirk:"))
		return rest(c, h->about, sizeof h->about, err);
	if (same(f, flen, "match:"))
		return parse_match(c, h, err);
	if (!same(f, flen, "stage:"))
		return fail(err, c, f, "unknown header field (quirk: stage: match:)");
	if (*have_stage)
		return fail(err, c, f, "a second stage: line");
	vlen = word(c, &v);
	if (!stage_parse(v, vlen, &h->stage))
		return fail(err, c, vlen ? v : f, "unknown stage (acpi harts sched programs)");
	skip_blanks(c);
	if (c->s != c->end)
		return fail(err, c, c->s, "one stage only");
	*have_stage = true;
	return LM_OK;
}

enum lm_err quirk_parse(const char *text, size_t len, struct quirk_header *h,
			struct quirk_error *err)
{
	struct cursor c = {.s = text, .no = 0};
	const char *end = text + len;
	bool have_stage = false;

	memset(h, 0, sizeof *h);
	memset(err, 0, sizeof *err);
	while (c.s < end) {
		const char *nl = c.s;

		while (nl < end && *nl != '\n')
			nl++;
		if (nl == end)
			nl = NULL;

		c.line = c.s;
		c.end = nl ? nl : end;
		if (c.end > c.s && c.end[-1] == '\r')
			c.end--;
		c.no++;
		skip_blanks(&c);
		if (c.s < c.end) {
			if (*c.s != '\\' || (c.s + 1 < c.end && !blank(c.s[1])))
				break; /* the body */
			c.s++;
			if (parse_field(&c, h, &have_stage, err))
				return LM_ERR_FORMAT;
		}
		c.s = nl ? nl + 1 : end;
	}
	c.line = c.s = text;
	c.no = 1;
	if (!have_stage)
		return fail(err, &c, text, "no \"\\ stage:\" line in the header");
	if (!h->nmatch)
		return fail(err, &c, text, "no \"\\ match:\" line in the header (a script for "
					   "every machine goes in /etc/stages/)");
	for (uint32_t i = 0; i < h->nmatch; i++)
		if (h->match[i].key == QUIRK_PCI && h->stage == STAGE_ACPI)
			return fail(err, &c, text, "a pci match needs stage harts or later "
						   "(PCI is found after stage acpi)");
	return LM_OK;
}

/* Append "key=value" to why. */
static void said(char *why, size_t size, int key, const char *value)
{
	size_t n = strlen(why);

	if (n < size)
		fmt_snprintf(why + n, size - n, "%s%s=%s", n ? " " : "", key_names[key], value);
}

static bool match_one(const struct quirk_match *m, const struct quirk_facts *f, char *why,
		      size_t size)
{
	char text[16];

	switch (m->key) {
	case QUIRK_ACPI_OEM:
	case QUIRK_ACPI_TABLE:
		for (uint32_t i = 0; i < f->ntables && i < QUIRK_FACTS_TABLES; i++) {
			const char *v = m->key == QUIRK_ACPI_OEM ? f->acpi_oem[i] : f->acpi_table[i];

			if (glob_match(m->text, v)) {
				said(why, size, m->key, v);
				return true;
			}
		}
		return false;
	case QUIRK_PCI:
		for (uint32_t i = 0; i < f->npci && i < QUIRK_FACTS_PCI; i++)
			if (f->pci[i] == m->number) {
				said(why, size, m->key, m->text);
				return true;
			}
		return false;
	case QUIRK_CPU_FAMILY:
	case QUIRK_CPU_MODEL:
		if (m->number != (m->key == QUIRK_CPU_FAMILY ? f->cpu_family : f->cpu_model))
			return false;
		fmt_snprintf(text, sizeof text, "%u", m->number);
		said(why, size, m->key, text);
		return true;
	default: {
		const char *v = m->key == QUIRK_SMBIOS_VENDOR ? f->smbios_vendor
			      : m->key == QUIRK_SMBIOS_PRODUCT ? f->smbios_product
			      : m->key == QUIRK_CPU_VENDOR ? f->cpu_vendor : f->hypervisor;

		if (!glob_match(m->text, v))
			return false;
		said(why, size, m->key, v);
		return true;
	}
	}
}

bool quirk_matches(const struct quirk_header *h, const struct quirk_facts *f, char *why,
		   size_t why_size)
{
	if (why_size)
		why[0] = 0;
	if (!h->nmatch)
		return false;
	for (uint32_t i = 0; i < h->nmatch && i < QUIRK_MATCH_MAX; i++)
		if (!match_one(&h->match[i], f, why, why_size))
			return false;
	return true;
}

void quirk_cpu_signature(uint32_t eax, uint32_t *family, uint32_t *model)
{
	uint32_t fam = eax >> 8 & 0xf, mod = eax >> 4 & 0xf;

	if (fam == 0xf)
		fam += eax >> 20 & 0xff;
	if (fam == 0x6 || fam >= 0xf)
		mod |= (eax >> 16 & 0xf) << 4;
	*family = fam;
	*model = mod;
}
