/*
 * The init language's machine, inside lang/: running compiled code and
 * reporting errors with their positions. lang/compile.c calls these.
 */
#ifndef LANG_MACHINE_H
#define LANG_MACHINE_H

#include "lang/lang.h"

/* Report "file:line:col: error: ..." (vm->error, and the output). */
void machine_error(struct lang_vm *vm, uint16_t file, uint32_t line, uint32_t col,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Run the code at offset `off`. 0, or the run's error, reported at the
 * position of the word that failed (else at line:col, the word that
 * started the run). */
int machine_run(struct lang_vm *vm, size_t off, uint32_t line, uint32_t col);

/* The index of a script's name in vm->files. */
uint16_t machine_file(struct lang_vm *vm, const char *name);

/* Empty the data stack. */
void machine_reset_stack(struct lang_vm *vm);

#endif
