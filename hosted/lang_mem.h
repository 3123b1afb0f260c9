/*
 * The init language's memory on Linux (hosted/lang_mem.c).
 */
#ifndef HOSTED_LANG_MEM_H
#define HOSTED_LANG_MEM_H

#include "lang/lang.h"

/* A code region of code_size bytes and a return stack of rstack_size
 * (multiples of the page size). */
enum lm_err lang_mem_alloc(struct lang_mem *m, size_t code_size, size_t rstack_size);
void lang_mem_free(struct lang_mem *m);

#endif
