/*
 * The hallway: the registry of doors.
 *
 * One door per API ID. Doors are registered, found by API ID, and listed;
 * they are never removed (only a reboot clears the hallway), which is what
 * lets lookups run without locks: a registered slot never changes.
 */
#ifndef CORE_HALLWAY_H
#define CORE_HALLWAY_H

#include <stdint.h>

#include <lemmings/door.h>
#include <lemmings/err.h>

#define HALLWAY_MAX 256

/* LM_OK; LM_ERR_INVAL for a NULL door, a zero API ID or no name;
 * LM_ERR_EXIST if a door with that API ID is registered; LM_ERR_FULL when
 * HALLWAY_MAX doors are. */
enum lm_err hallway_register(const struct lm_door *door);

/* The door with this API ID, or NULL (also for a NULL or zero ID). */
const struct lm_door *hallway_find(const struct lm_api_id *id);

/* Iterate: start with *cookie = 0; each call returns the next door (in
 * registration order) or NULL after the last. */
const struct lm_door *hallway_list(uint64_t *cookie);

uint32_t hallway_count(void);

#endif
