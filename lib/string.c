/*
 * Memory and string functions for freestanding builds. GCC emits calls to
 * memcpy, memmove, memset and memcmp on its own, so these must exist even
 * where no code names them. The copies use "rep movs"/"rep stos", which
 * need no SSE: eight bytes a step, then the bytes left. Current CPUs run
 * either form at full speed (ERMSB); QEMU without acceleration runs one
 * step per iteration, so words make a page copy or clear eight times
 * shorter there (a 2 MiB program's load, every zeroed page).
 */
#include <stdint.h>

#include "lib/string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 8;

	__asm__ volatile("rep movsq\n\tmov %[rest], %%rcx\n\trep movsb"
			 : "+D"(d), "+S"(src), "+c"(words)
			 : [rest] "r"(n % 8)
			 : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with dst above src: copy backwards. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(d), "+S"(s), "+c"(n)
			 :
			 : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8;

	__asm__ volatile("rep stosq\n\tmov %[rest], %%rcx\n\trep stosb"
			 : "+D"(d), "+c"(words)
			 : "a"((uint8_t)c * 0x0101010101010101ull), [rest] "r"(n % 8)
			 : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return 0;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++);
	return (char *)last;
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	return n ? 0 : (char *)haystack;
}
