/*
 * The Memory door (sdk/idl/memory.idl) as the kernel publishes it: runs of
 * physical pages from kernel/pmm.c, reached through the direct map.
 */
#ifndef KERNEL_MEMORY_DOOR_H
#define KERNEL_MEMORY_DOOR_H

#include <lemmings/memory.h>

/* Register the door in the hallway (after pmm_init; its tables are
 * allocated here, and a boot without room for them says so and goes on). */
void memory_door_publish(void);

/* The door itself, for the kernel's tests (kernel/memory_door_test.c). */
const struct memory_door *memory_door_kernel(void);

#endif
