/*
 * SMBIOS, the firmware's description of the machine (DMTF DSP0134): the
 * entry point that says where the structure table is, and from the table
 * the system's manufacturer and product name (type 1), which quirks match
 * (kernel/quirk.h). Portable, on bytes already copied: the host tests and
 * the fuzzer (kernel/quirk_fuzz.c) run it. Every length and index is
 * checked; bad data is LM_ERR_FORMAT, never a read out of bounds.
 */
#ifndef KERNEL_SMBIOS_H
#define KERNEL_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

/* The 64-bit ("_SM3_", 24 bytes) or 32-bit ("_SM_", 31 bytes) entry point
 * at ep, its checksums right: where the table is and how long it is at
 * most. LM_ERR_FORMAT otherwise. */
enum lm_err smbios_entry(const uint8_t *ep, size_t len, uint64_t *table, uint32_t *table_len);

/* The manufacturer and product strings of the first type 1 structure of
 * the table (printable ASCII kept, other bytes as '?', cut to size - 1).
 * LM_ERR_NOENT if there is none before the end (type 127 or the bytes),
 * LM_ERR_FORMAT if a structure runs past the end first. */
enum lm_err smbios_system(const uint8_t *t, size_t len, char *vendor, char *product,
			  size_t size);

#endif
