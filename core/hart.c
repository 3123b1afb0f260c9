/* The hart table (see hart.h). */
#include "core/hart.h"

/* Every hart starts with preemption on and no work noted, and its first
 * pick is the full one, which finds out whether it is in the main
 * scheduler (hart.h). */
struct hart harts[HART_MAX] = {
	[0 ... HART_MAX - 1] = {.preempt = PREEMPT_NO_RESCHED, .rq = {.full_pick = true}},
};
uint32_t hart_count = 1;
uint64_t sched_harts = 1;
uint64_t idle_harts;
uint64_t untrusted_harts;
