/*
 * The init language's home in the kernel (docs/init.md, "In the kernel"):
 * a machine (lang/) with an executable code region, a return stack, the
 * hardware words (kernel/lang_hw.c), all of memory open to @ and !, and a
 * guard that turns a CPU fault during a run into the run's error.
 */
#ifndef KERNEL_LANG_KERNEL_H
#define KERNEL_LANG_KERNEL_H

#include "lang/lang.h"

/* The calling thread's stack must be at least this big (thread_opts
 * stack_pages): the machine's return stack is the lower part of it. */
#define LANG_KERNEL_STACK_PAGES 24
#define LANG_KERNEL_CODE_SIZE (256 * 1024)

struct lang_kernel;

/* A new machine for the calling thread (which alone may run it), output
 * to write(ctx, ...). LM_ERR_RANGE if the thread's stack is smaller than
 * LANG_KERNEL_STACK_PAGES, LM_ERR_NOMEM. */
enum lm_err lang_kernel_new(lang_write_fn *write, void *ctx, struct lang_vm **out);

/* Give a machine's memory back (by the thread that made it). */
void lang_kernel_free(struct lang_vm *vm);

#endif
