/*
 * The hosted runtime: Lemmings' portable core inside one Linux process.
 *
 * Each hart is a POSIX thread pinned to a CPU, with its GS base pointing at
 * its struct hart (so the system table works as in the kernel). Lemmings
 * threads are the same one-page threads, switched in user space by the same
 * code. An idle hart sleeps in the kernel on a futex, not spinning.
 */
#ifndef HOSTED_HOSTED_H
#define HOSTED_HOSTED_H

#include <stdint.h>

/* Start `harts` harts and run main_fn(arg) in a Lemmings thread (Regular
 * priority) on hart 0. Returns when main_fn returns (the other harts stay
 * parked in their idle loops until the process exits). */
void hosted_run(unsigned harts, void (*main_fn)(void *), void *arg);

/* How many one-page stacks got a PROT_NONE guard page (see docs/hosted.md). */
uint64_t hosted_guarded_stacks(void);

#endif
