/*
 * The system table (sdk/include/lemmings/systab.h) as the kernel provides
 * it: copied into the head of every hart's struct hart, so that programs
 * reach it at %gs:0.
 */
#ifndef KERNEL_SYSTAB_H
#define KERNEL_SYSTAB_H

#include "core/hart.h"

void systab_install(struct hart *h);

#endif
