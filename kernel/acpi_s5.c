/*
 * The \_S5 object of the DSDT's AML (acpi.h: acpi_s5_find): the sleep type
 * values that, written with SLP_EN to the PM1 control registers, turn the
 * machine off. Not an AML interpreter: the object is a Name whose value is
 * a Package literal on every firmware that has it (ACPI 6.5, 7.4.2), so a
 * scan for NameOp "_S5_" PackageOp finds it, and its first two elements
 * are integer literals. Bytes are checked before each read.
 */
#include "kernel/acpi.h"

#include "lib/string.h"

#define AML_NAME 0x08
#define AML_ROOT 0x5c      /* '\' */
#define AML_PACKAGE 0x12
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_ONES 0xff

/* An integer literal at aml[*p]: its low byte (SLP_TYP is 3 bits). */
static bool integer(const uint8_t *aml, size_t len, size_t *p, uint8_t *out)
{
	static const uint8_t size[] = {[AML_BYTE] = 1, [AML_WORD] = 2, [AML_DWORD] = 4};
	uint8_t op;

	if (*p >= len)
		return false;
	op = aml[(*p)++];
	if (op == AML_ZERO || op == AML_ONE || op == AML_ONES) {
		*out = op == AML_ONES ? 0xff : op;
		return true;
	}
	if (op < AML_BYTE || op > AML_DWORD || len - *p < size[op])
		return false;
	*out = aml[*p];
	*p += size[op];
	return true;
}

enum lm_err acpi_s5_find(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	for (size_t i = 1; i + 4 <= len; i++) {
		size_t p;
		uint8_t lead, n;

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		if (aml[i - 1] != AML_NAME && !(aml[i - 1] == AML_ROOT && i >= 2 &&
						 aml[i - 2] == AML_NAME))
			continue;
		p = i + 4;
		if (p >= len || aml[p] != AML_PACKAGE)
			continue;
		p++;
		if (p >= len)
			return LM_ERR_FORMAT;
		lead = aml[p];
		p += 1u + (lead >> 6);   /* PkgLength: 1 to 4 bytes */
		if (p >= len)
			return LM_ERR_FORMAT;
		n = aml[p++];            /* NumElements */
		if (n < 1 || !integer(aml, len, &p, slp_typa))
			return LM_ERR_FORMAT;
		*slp_typb = *slp_typa;
		if (n >= 2 && !integer(aml, len, &p, slp_typb))
			return LM_ERR_FORMAT;
		return LM_OK;
	}
	return LM_ERR_NOENT;
}
