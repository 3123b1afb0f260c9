/*
 * The system's own services, published as doors in the hallway: threads,
 * timer, harts, the boot archive and the loader. They are portable: the
 * kernel and the hosted runtime publish the same doors from the same code,
 * so a program finds the same interfaces on both.
 */
#ifndef SERVICES_SERVICES_H
#define SERVICES_SERVICES_H

#include <stddef.h>

/* Register every service door; the archive door serves the archive given
 * (which may be empty: NULL, 0). Reports problems through lm_log. */
void services_publish(const void *archive, size_t archive_size);

#endif
