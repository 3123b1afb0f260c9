/*
 * How a program starts. The loader calls the program's ELF entry point in
 * a new thread, with one argument: a pointer to this record, which lives
 * until the program's thread ends. The SDK's start-up code (sdk/libc/start.c)
 * turns it into main(argc, argv) and stores main's result back.
 */
#ifndef LEMMINGS_START_H
#define LEMMINGS_START_H

#include <stdint.h>

struct lm_start {
	uint32_t version;   /* LM_START_VERSION */
	int32_t argc;
	char **argv;        /* argc strings, then NULL */
	int32_t exit_code;  /* written when main returns */
	uint32_t reserved;
	uint64_t base;      /* where the program was loaded */
};

#define LM_START_VERSION 1

#endif
