/*
 * SMBIOS entry points and the system information structure (smbios.h).
 *
 * A structure is a formatted part (type, its length, a handle, fields)
 * followed by its strings, each NUL-terminated, the set ended by one more
 * NUL (two NULs when there are none). A string field holds the string's
 * number, from 1; 0 means none.
 */
#include "kernel/smbios.h"

#include "lib/string.h"

static uint8_t sum(const uint8_t *b, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *b++);
	return s;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

enum lm_err smbios_entry(const uint8_t *ep, size_t len, uint64_t *table, uint32_t *table_len)
{
	if (len >= 24 && memcmp(ep, "_SM3_", 5) == 0) {
		if (ep[6] < 24 || ep[6] > len || sum(ep, ep[6]))
			return LM_ERR_FORMAT;
		*table_len = le32(ep + 12);
		*table = le32(ep + 16) | (uint64_t)le32(ep + 20) << 32;
		return LM_OK;
	}
	if (len >= 31 && memcmp(ep, "_SM_", 4) == 0) {
		if (ep[5] < 31 || ep[5] > len || sum(ep, ep[5]) || memcmp(ep + 16, "_DMI_", 5) ||
		    sum(ep + 16, 15))
			return LM_ERR_FORMAT;
		*table_len = (uint32_t)ep[22] | (uint32_t)ep[23] << 8;
		*table = le32(ep + 24);
		return LM_OK;
	}
	return LM_ERR_FORMAT;
}

/* String number n of the structure whose strings start at s (the set ends
 * before end), into out. */
static void string_of(const uint8_t *s, const uint8_t *end, uint8_t n, char *out, size_t size)
{
	size_t k = 0;

	out[0] = 0;
	if (!n || !size)
		return;
	for (uint8_t i = 1; i < n; i++) {
		while (s < end && *s)
			s++;
		if (s >= end || s + 1 >= end || s[1] == 0)
			return; /* fewer strings than n */
		s++;
	}
	while (s < end && *s && k + 1 < size) {
		out[k++] = *s >= 0x20 && *s <= 0x7e ? (char)*s : '?';
		s++;
	}
	out[k] = 0;
}

enum lm_err smbios_system(const uint8_t *t, size_t len, char *vendor, char *product,
			  size_t size)
{
	size_t off = 0;

	while (off + 4 <= len) {
		const uint8_t *h = t + off;
		size_t strings = off + h[1], end;

		if (h[1] < 4 || strings > len)
			return LM_ERR_FORMAT;
		/* The strings end at the first double NUL (the formatted part's
		 * end counts as the first byte when there are none). */
		for (end = strings; end + 1 < len && (t[end] || t[end + 1]); end++)
			;
		if (end + 1 >= len)
			return LM_ERR_FORMAT;
		if (h[0] == 1) {
			if (h[1] < 6)
				return LM_ERR_FORMAT;
			string_of(t + strings, t + end + 1, h[4], vendor, size);
			string_of(t + strings, t + end + 1, h[5], product, size);
			return LM_OK;
		}
		if (h[0] == 127)
			return LM_ERR_NOENT;
		off = end + 2;
	}
	return off >= len ? LM_ERR_NOENT : LM_ERR_FORMAT;
}
