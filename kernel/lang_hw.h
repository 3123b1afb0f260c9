/*
 * The kernel's hardware words for the init language (docs/init.md,
 * "Platform words"): port I/O, MMIO, MSRs, CPUID and PCI configuration
 * space, added to a machine with lang_hw_add. The host has no such set.
 */
#ifndef KERNEL_LANG_HW_H
#define KERNEL_LANG_HW_H

#include "lang/lang.h"

/* The words and the names of their errors. */
extern const struct lang_word_def lang_hw_words[];
extern const size_t lang_hw_word_count;

enum lm_err lang_hw_add(struct lang_vm *vm);

#endif
