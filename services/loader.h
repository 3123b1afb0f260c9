/*
 * The loader as the system's own code sees it (services/loader.c).
 */
#ifndef SERVICES_LOADER_H
#define SERVICES_LOADER_H

#include <stddef.h>

#include "core/elf.h"

struct thread;

/* Place, relocate and protect an ELF image; detail gets a reason. */
enum lm_err program_load(const void *file, size_t size, struct elf_image *out, char *detail,
			size_t detail_size);

/* Load path from the boot archive and run it in a new thread with the
 * command line args (split at spaces; argv[0] is path). If handle is not
 * NULL, the thread gets a Threads-door handle there (core/handle.h): the
 * one name of it that stays safe to use after it may have ended. */
enum lm_err program_start(const char *path, const char *args, uint64_t *handle,
			 char *detail, size_t detail_size);

#endif
