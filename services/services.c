/*
 * The list of the system's service doors, published in this order at boot
 * (the loader last: it serves programs from the archive).
 */
#include "services/service.h"
#include "services/services.h"

void services_publish(const void *archive, size_t archive_size)
{
	services_threads_publish();
	services_timer_publish();
	services_harts_publish();
	services_archive_publish(archive, archive_size);
	services_loader_publish();
}
