/*
 * What the service doors share (see service.h).
 */
#include <stdarg.h>

#include <lemmings/systab.h>

#include "core/hallway.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/service.h"

void service_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	lm_log(line, strlen(line));
}

enum lm_err service_register(const void *door, const char *name)
{
	enum lm_err err = hallway_register(door);

	if (err)
		service_log("services: cannot publish the %s door: %s\n", name, lm_err_str(err));
	return err;
}
