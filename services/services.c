/*
 * Publishing the service doors, and the little they share.
 */
#include <stdarg.h>

#include <lemmings/systab.h>

#include "core/hallway.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/services.h"

void services_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	lm_log(line, strlen(line));
}

enum lm_err services_register(const void *door, const char *name)
{
	enum lm_err err = hallway_register(door);

	if (err)
		services_log("services: cannot publish the %s door: %s\n", name, lm_err_str(err));
	return err;
}

void services_publish(const void *archive, size_t archive_size)
{
	services_threads_publish();
	services_timer_publish();
	services_harts_publish();
	services_archive_publish(archive, archive_size);
	services_loader_publish();
}
