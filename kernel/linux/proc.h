/*
 * The table of Linux processes' states (kernel/linux/proc.c).
 */
#ifndef KERNEL_LINUX_PROC_H
#define KERNEL_LINUX_PROC_H

#include "kernel/linux/linux.h"

#define LINUX_PROCS 32 /* Linux processes at once */

/* A cleared state (umask 022), or NULL if all are in use. */
struct linux_proc *linux_proc_alloc(void);
/* Close its descriptors and give the state back. */
void linux_proc_free(struct linux_proc *lp);
/* States in use (for the tests: none left after the processes end). */
unsigned linux_procs_live(void);

#endif
