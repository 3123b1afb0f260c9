/*
 * What the scheduler tests share: the portable ones (core/sched_test.c) and
 * the kernel's own (kernel/sched_kernel_test.c).
 */
#ifndef CORE_SCHED_TEST_H
#define CORE_SCHED_TEST_H

#include "core/thread.h"

/*
 * The bound for "it happens at all": a test waits this long for what
 * must happen before it calls it lost. A test asserts behaviour, never
 * speed; the guest's harts are host threads that the host may stop for a
 * second or more (QEMU without acceleration, a loaded machine), so the
 * bound is ten seconds. What things cost is measured by the benchmarks
 * (core/sched_bench.c), which print BENCH lines and assert nothing.
 */
#define SCHED_TEST_LIVENESS_NS (10 * 1000000000ull)

/* The event bit a thread spawned by sched_test_spawn signals its spawner
 * with when it ends. */
#define SCHED_TEST_DONE (1ull << 0)

/* Spawn fn(arg) pinned to this hart (the tests using it are about the
 * order on one hart), to signal the calling thread with SCHED_TEST_DONE
 * when it ends. Records a test failure and returns NULL if it cannot. */
struct thread *sched_test_spawn(void (*fn)(void *), void *arg, enum thread_priority p,
				const char *name);

#endif
