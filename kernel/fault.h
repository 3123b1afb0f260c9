/*
 * Threads that died of a fault or a panic: reported on the console when it
 * happens, and kept in a small ring of records that tests and, later, the
 * shell can list.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "arch/context.h"
#include "arch/trap.h"

#define FAULT_RECORDS 32
#define FAULT_BACKTRACE_SIZE 256

struct fault_record {
	uint64_t thread_id;
	char thread_name[24];
	uint64_t vector; /* exception vector, or FAULT_PANIC */
	uint64_t error, rip, cr2;
	char reason[128];
	char backtrace[FAULT_BACKTRACE_SIZE];
};

#define FAULT_PANIC 256

/* Total deaths so far, and the record of death number i (i < total, the
 * last FAULT_RECORDS are kept); NULL if that record is gone. */
uint64_t fault_count(void);
const struct fault_record *fault_get(uint64_t i);

/*
 * Fault catchers, for tests that provoke a fault on purpose and for the
 * init language (kernel/lang_kernel.c), whose runs may fault:
 *
 *	struct fault_catch c;
 *	if (fault_catch_begin(&c) == 0) {
 *		... code that should fault ...
 *		fault_catch_end(&c);
 *	} else {
 *		... c.frame holds the fault ...
 *	}
 */
struct fault_catch {
	ctx_jmpbuf jb;
	struct fault_catch *prev; /* the catcher armed before this one: catchers nest */
	struct trap_frame frame;
	uint64_t cr2;
	char backtrace[512];
};

/* Catchers nest: a fault goes to the newest armed one, and the one before
 * it is armed again (after the fault, or at fault_catch_end). */
#define fault_catch_begin(c) (fault_catch_arm(c), ctx_setjmp((c)->jb))
void fault_catch_arm(struct fault_catch *c);
void fault_catch_end(struct fault_catch *c);

/* A fault in words ("page fault: reading unmapped page at 0x0", "general
 * protection fault"), as reports and records give it. */
void fault_describe(const struct trap_frame *f, uint64_t cr2, char *buf, size_t size);

/* The exception handlers' entry point (the architecture's trap.c): returns the
 * frame to resume, or does not return if the thread was stopped. */
struct trap_frame *fault_handle(struct trap_frame *f);

/* Stop the current thread after a panic in thread context: record it and
 * switch away. */
__attribute__((noreturn)) void fault_kill_current(const char *reason, uint64_t rip,
						  uint64_t rbp);

#endif
