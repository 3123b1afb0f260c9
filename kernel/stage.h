/*
 * Boot stages (docs/quirks.md): named points in kmain at which scripts of
 * the init language from the boot archive run - every script of the
 * stage's folder (the .fs files of /etc/stages/NAME) and every quirk (the .fs files of /etc/quirks)
 * whose header names the stage and matches the machine (kernel/quirk.h).
 */
#ifndef KERNEL_STAGE_H
#define KERNEL_STAGE_H

#include "kernel/quirk.h"

/* Run stage s's scripts (on the boot thread; at stage programs in a
 * thread of their own, pinned to hart 0), in order, each on a machine of
 * its own (kernel/lang_kernel.h) on a stack borrowed for the stage. A
 * script's error is its "file:line:col: error" line and the end of that
 * script; the boot goes on. Never fails. */
void stage_run(enum stage s);

#endif
