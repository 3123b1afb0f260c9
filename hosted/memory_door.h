/*
 * The Memory door (sdk/idl/memory.idl) as the hosted runtime publishes it:
 * runs of pages from Linux's mmap, within a budget of pages.
 */
#ifndef HOSTED_MEMORY_DOOR_H
#define HOSTED_MEMORY_DOOR_H

#include <stdint.h>

/* Register the door (once, in a Lemmings thread, before programs run).
 * budget_pages: how many pages it may hand out; 0 for the machine's RAM. */
void hosted_memory_publish(uint64_t budget_pages);

#endif
