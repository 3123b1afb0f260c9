/*
 * The boot archive as the system's own code sees it (services/archive.c).
 */
#ifndef SERVICES_ARCHIVE_H
#define SERVICES_ARCHIVE_H

#include "core/archive.h"

/* The archive the system booted with (empty until published). */
const struct archive *services_archive(void);

#endif
