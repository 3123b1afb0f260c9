/*
 * Lemmings SDK: memory allocation (thread-safe) and a few conversions.
 * The heap is an arena in the program's own memory (LM_HEAP_SIZE, 256 KiB);
 * malloc returns NULL when it is full.
 */
#ifndef _LEMMINGS_STDLIB_H
#define _LEMMINGS_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
long strtol(const char *s, char **end, int base);
__attribute__((noreturn)) void abort(void);

#endif
