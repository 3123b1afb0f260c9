/*
 * What the scheduler tests share: the portable ones (core/sched_test.c) and
 * the kernel's own (kernel/sched_kernel_test.c).
 */
#ifndef CORE_SCHED_TEST_H
#define CORE_SCHED_TEST_H

#include "core/thread.h"

/* The event bit a thread spawned by sched_test_spawn signals its spawner
 * with when it ends. */
#define SCHED_TEST_DONE (1ull << 0)

/* Spawn fn(arg) pinned to this hart (the tests using it are about the
 * order on one hart), to signal the calling thread with SCHED_TEST_DONE
 * when it ends. Records a test failure and returns NULL if it cannot. */
struct thread *sched_test_spawn(void (*fn)(void *), void *arg, enum thread_priority p,
				const char *name);

#endif
