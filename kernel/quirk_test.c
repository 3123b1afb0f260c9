/* Host tests of quirk headers and matching (kernel/quirk.c) and of the
 * SMBIOS readers (kernel/smbios.c). */
#include <stdio.h>

#include "kernel/quirk.h"
#include "kernel/smbios.h"
#include "lib/string.h"
#include "lib/test.h"

static struct quirk_header h;
static struct quirk_error err;

/* "ok", or "line:col: what". */
static const char *parse(const char *text)
{
	static char out[200];

	if (quirk_parse(text, strlen(text), &h, &err) == LM_OK)
		return "ok";
	snprintf(out, sizeof out, "%u:%u: %s", err.line, err.col, err.what);
	return out;
}

TEST(quirk, header_fields)
{
	EXPECT_STREQ(parse("\\ quirk: drop the timer override  \r\n"
			   "\\ a comment line\n"
			   "\n"
			   "  \\ stage: acpi\n"
			   "\\ match: smbios.product Standard PC (Q35*\n"
			   "\\ match: acpi.oem BOCHS\n"
			   "\\\n"
			   "0 acpi-override-drop\n"
			   "\\ match: not a header line any more\n"), "ok");
	EXPECT_EQ(h.stage, STAGE_ACPI);
	EXPECT_STREQ(h.about, "drop the timer override");
	ASSERT_EQ(h.nmatch, 2u);
	EXPECT_EQ(h.match[0].key, QUIRK_SMBIOS_PRODUCT);
	EXPECT_STREQ(h.match[0].text, "Standard PC (Q35*");
	EXPECT_EQ(h.match[1].key, QUIRK_ACPI_OEM);
	EXPECT_STREQ(h.match[1].text, "BOCHS");

	EXPECT_STREQ(parse("\\ stage: programs\n\\ match: pci 1AF4:1001\n\\ match: cpu.family 0x19\n"
			   "\\ match: cpu.model 33\n"), "ok");
	EXPECT_EQ(h.stage, STAGE_PROGRAMS);
	EXPECT_EQ(h.match[0].number, 0x1af41001u);
	EXPECT_EQ(h.match[1].number, 0x19u);
	EXPECT_EQ(h.match[2].number, 33u);
}

TEST(quirk, header_errors)
{
	EXPECT_STREQ(parse(""), "1:1: no \"\\ stage:\" line in the header");
	EXPECT_STREQ(parse("\\ match: hypervisor TCG*\n"), "1:1: no \"\\ stage:\" line in the header");
	EXPECT_STREQ(parse("\\ stage: harts\n1 .\n"),
		     "1:1: no \"\\ match:\" line in the header (a script for every machine goes in /etc/stages/)");
	EXPECT_STREQ(parse("\\ stage: boot\n"), "1:10: unknown stage (acpi harts sched programs)");
	EXPECT_STREQ(parse("\\ stage:\n"), "1:3: unknown stage (acpi harts sched programs)");
	EXPECT_STREQ(parse("\\ stage: acpi\n\\ stage: harts\n"), "2:3: a second stage: line");
	EXPECT_STREQ(parse("\\ stage: acpi harts\n"), "1:15: one stage only");
	EXPECT_STREQ(parse("\\ stage: acpi\n\\ mach: pci 1:2\n"),
		     "2:3: unknown header field (quirk: stage: match:)");
	EXPECT_STREQ(parse("\\ stage: acpi\n\\ match: bios.vendor x\n"),
		     "2:10: unknown match key (acpi.oem acpi.table smbios.vendor smbios.product "
		     "cpu.vendor cpu.family cpu.model hypervisor pci)");
	EXPECT_STREQ(parse("\\ stage: acpi\n\\ match:\n"), "2:9: match: needs a key and a value");
	EXPECT_STREQ(parse("\\ stage: acpi\n\\ match: cpu.vendor   \n"), "2:23: match: the key needs a value");
	EXPECT_STREQ(parse("\\ stage: harts\n\\ match: pci 1af4-1001\n"), "2:14: a PCI id is vvvv:dddd in hex");
	EXPECT_STREQ(parse("\\ stage: harts\n\\ match: pci 1af4:10011\n"), "2:14: a PCI id is vvvv:dddd in hex");
	EXPECT_STREQ(parse("\\ stage: harts\n\\ match: cpu.model 0x10000\n"), "2:20: bad number");
	EXPECT_STREQ(parse("\\ stage: harts\n\\ match: cpu.model 12z\n"), "2:20: bad number");
	EXPECT_STREQ(parse("\\ stage: harts\n\\ match: cpu.model 1 2\n"), "2:22: one value only");
	EXPECT_STREQ(parse("\\ stage: harts\n\\ match: cpu.vendor Genu\x01ne\n"),
		     "2:25: control or non-ASCII byte in the value");
	EXPECT_STREQ(parse("\\ stage: acpi\n\\ match: pci 8086:1237\n"),
		     "1:1: a pci match needs stage harts or later (PCI is found after stage acpi)");
	{
		char long_value[200];

		snprintf(long_value, sizeof long_value, "\\ stage: acpi\n\\ match: smbios.vendor %070d\n", 0);
		EXPECT_STREQ(parse(long_value), "2:24: value too long");
	}
	{
		char many[600] = "\\ stage: acpi\n";

		for (int i = 0; i < 9; i++)
			strcat(many, "\\ match: cpu.model 1\n");
		EXPECT_STREQ(parse(many), "10:10: too many match lines (8 at most)");
	}
}

static struct quirk_facts qemu(void)
{
	struct quirk_facts f;

	memset(&f, 0, sizeof f);
	f.ntables = 2;
	strcpy(f.acpi_oem[0], "BOCHS");
	strcpy(f.acpi_table[0], "BXPCRSDT");
	strcpy(f.acpi_oem[1], "BOCHS");
	strcpy(f.acpi_table[1], "BXPCAPIC");
	strcpy(f.smbios_vendor, "QEMU");
	strcpy(f.smbios_product, "Standard PC (Q35 + ICH9, 2009)");
	strcpy(f.cpu_vendor, "AuthenticAMD");
	f.cpu_family = 15;
	f.cpu_model = 107;
	strcpy(f.hypervisor, "TCGTCGTCGTCG");
	f.npci = 2;
	f.pci[0] = 0x808629c0;
	f.pci[1] = 0x1af41001;
	return f;
}

static bool matches(const char *text, char *why)
{
	struct quirk_facts f = qemu();

	if (quirk_parse(text, strlen(text), &h, &err) != LM_OK)
		return false;
	return quirk_matches(&h, &f, why, 128);
}

TEST(quirk, matching)
{
	char why[128];

	EXPECT(matches("\\ stage: harts\n\\ match: smbios.vendor QEMU\n\\ match: pci 1af4:1001\n", why));
	EXPECT_STREQ(why, "smbios.vendor=QEMU pci=1af4:1001");
	EXPECT(matches("\\ stage: acpi\n\\ match: acpi.table BXPCAP*\n\\ match: hypervisor TCG*\n", why));
	EXPECT_STREQ(why, "acpi.table=BXPCAPIC hypervisor=TCGTCGTCGTCG");
	EXPECT(matches("\\ stage: acpi\n\\ match: cpu.family 0xf\n\\ match: cpu.model 107\n"
		       "\\ match: cpu.vendor AuthenticAMD\n\\ match: acpi.oem BOCHS\n"
		       "\\ match: smbios.product Standard PC (Q35*\n", why));
	EXPECT_STREQ(why, "cpu.family=15 cpu.model=107 cpu.vendor=AuthenticAMD acpi.oem=BOCHS "
			  "smbios.product=Standard PC (Q35 + ICH9, 2009)");
	/* Every match must hold; text is case-sensitive; a PCI id must be present. */
	EXPECT(!matches("\\ stage: harts\n\\ match: smbios.vendor QEMU\n\\ match: pci 8086:1237\n", why));
	EXPECT(!matches("\\ stage: harts\n\\ match: smbios.vendor qemu\n", why));
	EXPECT(!matches("\\ stage: harts\n\\ match: cpu.model 108\n", why));
	EXPECT(!matches("\\ stage: harts\n\\ match: acpi.oem INTEL\n", why));
	EXPECT(!matches("\\ stage: harts\n\\ match: hypervisor KVMKVMKVM\n", why));
	/* No facts yet (PCI before enumeration): no match. */
	{
		struct quirk_facts f = qemu();

		f.npci = 0;
		const char *text = "\\ stage: harts\n\\ match: pci 1af4:1001\n";

		ASSERT(quirk_parse(text, strlen(text), &h, &err) == LM_OK);
		EXPECT(quirk_matches(&h, &f, why, sizeof why) == false);
		f.npci = 2;
		EXPECT(quirk_matches(&h, &f, why, sizeof why));
		f.npci = 0;
		EXPECT(!quirk_matches(&h, &f, why, sizeof why));
	}
}

TEST(quirk, stages_and_cpu_signature)
{
	enum stage s;
	uint32_t fam, mod;

	EXPECT(stage_parse("sched", 5, &s) && s == STAGE_SCHED);
	EXPECT(!stage_parse("sche", 4, &s));
	EXPECT_STREQ(stage_name(STAGE_PROGRAMS), "programs");
	EXPECT_STREQ(stage_name(STAGE_COUNT), "?");
	quirk_cpu_signature(0x00a20f10, &fam, &mod); /* AMD Zen 3: family 0x19, model 0x21 */
	EXPECT_EQ(fam, 0x19u);
	EXPECT_EQ(mod, 0x21u);
	quirk_cpu_signature(0x000906ea, &fam, &mod); /* Intel Coffee Lake: 6, 0x9e */
	EXPECT_EQ(fam, 6u);
	EXPECT_EQ(mod, 0x9eu);
	quirk_cpu_signature(0x00000f61, &fam, &mod); /* a family 0xf without extension */
	EXPECT_EQ(fam, 15u);
	EXPECT_EQ(mod, 6u);
}

/* A type 0 structure, then type 1 with strings "Maker" "Box\x01", then 127. */
static const uint8_t table[] = {
	0, 4, 0, 0, 'B', 'I', 'O', 'S', 0, 0,
	1, 8, 1, 0, 1, 2, 0, 0, 'M', 'a', 'k', 'e', 'r', 0, 'B', 'o', 'x', 1, 0, 0,
	127, 4, 2, 0, 0, 0,
};

TEST(smbios, system_information)
{
	char v[16], p[16];

	ASSERT_EQ(smbios_system(table, sizeof table, v, p, sizeof v), LM_OK);
	EXPECT_STREQ(v, "Maker");
	EXPECT_STREQ(p, "Box?");
	/* Cut to the buffer. */
	ASSERT_EQ(smbios_system(table, sizeof table, v, p, 3), LM_OK);
	EXPECT_STREQ(v, "Ma");
	/* Only type 0 and the end: none; truncated anywhere: an error or none,
	 * never a read past the bytes (ASan). */
	EXPECT_EQ(smbios_system(table, 10, v, p, sizeof v), LM_ERR_NOENT);
	for (size_t n = 11; n < 30; n++)
		EXPECT(smbios_system(table, n, v, p, sizeof v) != LM_OK);
	/* A string number past the strings: empty. */
	{
		uint8_t t[sizeof table];

		memcpy(t, table, sizeof t);
		t[15] = 7;
		ASSERT_EQ(smbios_system(t, sizeof t, v, p, sizeof v), LM_OK);
		EXPECT_STREQ(p, "");
	}
}

TEST(smbios, entry_points)
{
	uint8_t ep3[24] = "_SM3_", ep2[31] = "_SM_";
	uint64_t addr;
	uint32_t len;
	uint8_t sum = 0;

	ep3[6] = 24;
	ep3[12] = 0x34, ep3[13] = 0x12;            /* max size 0x1234 */
	ep3[16] = 0x00, ep3[17] = 0x10, ep3[20] = 1; /* address 0x100001000 */
	for (int i = 0; i < 24; i++)
		sum = (uint8_t)(sum + ep3[i]);
	ep3[5] = (uint8_t)-sum;
	ASSERT_EQ(smbios_entry(ep3, sizeof ep3, &addr, &len), LM_OK);
	EXPECT_EQ(addr, 0x100001000ull);
	EXPECT_EQ(len, 0x1234u);
	ep3[7] ^= 1;
	EXPECT_EQ(smbios_entry(ep3, sizeof ep3, &addr, &len), LM_ERR_FORMAT);

	ep2[5] = 31;
	memcpy(ep2 + 16, "_DMI_", 5);
	ep2[22] = 0x80;                             /* table length 0x80 */
	ep2[24] = 0x00, ep2[25] = 0x00, ep2[26] = 0x0f; /* at 0xf0000 */
	sum = 0;
	for (int i = 16; i < 31; i++)
		sum = (uint8_t)(sum + ep2[i]);
	ep2[21] = (uint8_t)-sum;
	sum = 0;
	for (int i = 0; i < 31; i++)
		sum = (uint8_t)(sum + ep2[i]);
	ep2[4] = (uint8_t)-sum;
	ASSERT_EQ(smbios_entry(ep2, sizeof ep2, &addr, &len), LM_OK);
	EXPECT_EQ(addr, 0xf0000ull);
	EXPECT_EQ(len, 0x80u);
	EXPECT_EQ(smbios_entry(ep2, 30, &addr, &len), LM_ERR_FORMAT);
	EXPECT_EQ(smbios_entry((const uint8_t *)"_SM_", 4, &addr, &len), LM_ERR_FORMAT);
}
