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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start `harts` harts and run main_fn(arg) in a Lemmings thread (Regular
 * priority) on hart 0. Returns when main_fn returns (the other harts stay
 * parked in their idle loops until the process exits). */
void hosted_run(unsigned harts, void (*main_fn)(void *), void *arg);

/* A boot archive from a folder: a cpio (newc) image of everything under
 * dir, in memory (malloc'ed; *size set). NULL after printing why. */
void *hosted_pack_folder(const char *dir, size_t *size);
/* A boot archive from a cpio file or a folder (malloc'ed; *size set), or
 * NULL after printing why on standard error. */
void *hosted_load_archive(const char *path, size_t *size);

/* Stop a thread that faults instead of the process (hosted/fault.c): each
 * hart calls this once, for its alternate signal stack. */
void hosted_fault_init_hart(void);
/* How many threads were stopped that way. */
uint64_t hosted_fault_count(void);

/* Run fn(arg) on this hart's own stack (hosted/hart_stack.c), not on the
 * calling Lemmings thread's page: every call into libc or Linux from a
 * Lemmings thread goes through here. fn must not switch threads (no park,
 * yield or wait). Runs fn directly when already on that stack, or when
 * the calling pthread is not a hart (yet). */
void hosted_on_hart_stack(void (*fn)(void *), void *arg);
/* Each hart's pthread calls this once, before running Lemmings threads. */
void hosted_hart_stack_init(void);
/* Whether sp is on this hart's stack or its guard page. */
bool hosted_hart_stack_has(uintptr_t sp);

/* Write len bytes to standard output, on the hart stack (hosted/console.c). */
void hosted_console_write(const char *text, size_t len);

/* As many descriptors as Linux lets the process have: the soft limit
 * raised to the hard one (a server with a thread per connection wants tens
 * of thousands of sockets; Debian's soft default is 1024). */
void hosted_raise_descriptor_limit(void);

/* How many one-page stacks got a PROT_NONE guard page (see docs/hosted.md). */
uint64_t hosted_guarded_stacks(void);

#endif
