/*
 * The system's own services, published as doors in the hallway: threads,
 * timer, harts, the boot archive and the loader. They are portable: the
 * kernel and the hosted runtime publish the same doors from the same code,
 * so a program finds the same interfaces on both.
 */
#ifndef SERVICES_SERVICES_H
#define SERVICES_SERVICES_H

#include <stddef.h>

#include <lemmings/err.h>

/* Register every service door; the archive door serves the archive given
 * (which may be empty: NULL, 0). Reports problems through lm_log. */
void services_publish(const void *archive, size_t archive_size);

void services_threads_publish(void);
void services_timer_publish(void);
void services_harts_publish(void);
void services_archive_publish(const void *archive, size_t size);
void services_loader_publish(void);

/* Format a line and send it to the system log (lm_log). */
void services_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Register a door, and say so in the log if that fails (a service that is
 * not reachable is worth a line at boot). */
enum lm_err services_register(const void *door, const char *name);

#endif
