/*
 * The kernel's symbol table, embedded at build time (tools/ksyms turns the
 * first link's `nm` output into a sorted table; the final link includes it,
 * and code addresses do not move between the two links).
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* Name of the function containing addr and addr's offset into it, or NULL. */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);
/* Address of a function by name, or 0. */
uintptr_t ksyms_address(const char *name);
/* "name+0x1f" into buf; "0x..." when unknown. */
void ksyms_format(uintptr_t addr, char *buf, size_t size);

#endif
