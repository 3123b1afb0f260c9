/*
 * What the Memory door's tests share: the ones of both homes
 * (services/memory_test.c) and the kernel's own (kernel/memory_door_test.c).
 */
#ifndef SERVICES_MEMORY_TEST_H
#define SERVICES_MEMORY_TEST_H

#include <stdbool.h>
#include <stdint.h>

/* The door's free_pages now (0 if the query fails). */
uint64_t memory_test_free_pages(void);
/* Are all bytes of the run at addr, pages long, zero? */
bool memory_test_all_zero(uintptr_t addr, uint64_t pages);

#endif
