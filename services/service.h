/*
 * What the service doors share: a log line, publishing a door, and each
 * door's publish routine (called once, in order, by services_publish).
 */
#ifndef SERVICES_SERVICE_H
#define SERVICES_SERVICE_H

#include <stddef.h>

#include <lemmings/err.h>

/* Format a line and send it to the system log (lm_log). */
void service_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Register a door, and say so in the log if that fails (a service that is
 * not reachable is worth a line at boot). */
enum lm_err service_register(const void *door, const char *name);

/* Each door's file: services/threads.c, timer.c, harts.c, archive.c
 * (serving the archive given, which may be empty: NULL, 0), loader.c. */
void services_threads_publish(void);
void services_timer_publish(void);
void services_harts_publish(void);
void services_archive_publish(const void *archive, size_t size);
void services_loader_publish(void);

#endif
