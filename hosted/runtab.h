/*
 * A table of runs of pages: start address -> page count, for the hosted
 * Memory door (hosted/memory_door.c) to know which frees are exact.
 *
 * Open addressing with linear probing over a power-of-two array the caller
 * provides (zeroed; address 0 marks an empty slot), kept at most 3/4 full;
 * removal shifts the following entries back, so there are no tombstones and
 * a lookup never walks more than the cluster it lands in. Portable, no
 * allocation, no locking: the caller holds its lock.
 */
#ifndef HOSTED_RUNTAB_H
#define HOSTED_RUNTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

struct runtab_slot {
	uint64_t addr; /* 0: empty */
	uint64_t pages;
};

struct runtab {
	struct runtab_slot *slots;
	uint64_t mask;  /* slot count - 1; the count is a power of two */
	uint64_t count; /* slots in use */
};

/* Use slots (capacity a power of two, at least 4; every slot zero). */
void runtab_init(struct runtab *t, struct runtab_slot *slots, uint64_t capacity);
/* Record [addr, addr + pages): LM_ERR_INVAL if addr is 0 or pages 0,
 * LM_ERR_EXIST if addr is recorded already, else LM_ERR_FULL at 3/4 full. */
enum lm_err runtab_add(struct runtab *t, uint64_t addr, uint64_t pages);
/* Remove the run that starts at addr if it has exactly pages pages;
 * otherwise LM_ERR_INVAL and the table is unchanged. */
enum lm_err runtab_remove(struct runtab *t, uint64_t addr, uint64_t pages);

#endif
