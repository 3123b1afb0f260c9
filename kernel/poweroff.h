/*
 * Turning the machine off through ACPI: sleep state S5 (soft off).
 */
#ifndef KERNEL_POWEROFF_H
#define KERNEL_POWEROFF_H

#include <stddef.h>

#include <lemmings/err.h>

/* Write \_S5's sleep types with SLP_EN to the FADT's PM1 control
 * registers (ACPI mode asked for first if it is off). Returns only if the
 * machine is still on: LM_ERR_UNSUPPORTED (no FADT or PM1a control block),
 * LM_ERR_NOENT (no \_S5 in the DSDT), LM_ERR_FORMAT (a malformed one), or
 * LM_ERR_TIMEOUT (written, and the machine did not go off); `why` says it
 * in words. */
enum lm_err acpi_poweroff(char *why, size_t size);

#endif
