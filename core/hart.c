/* The hart table (see hart.h). */
#include "core/hart.h"

struct hart harts[HART_MAX];
uint32_t hart_count = 1;
uint64_t sched_harts = 1;
uint64_t idle_harts;
uint64_t untrusted_harts;
