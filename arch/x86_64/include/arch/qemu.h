/* Leaving QEMU with a status, through its isa-debug-exit device. */
#ifndef ARCH_X86_64_QEMU_H
#define ARCH_X86_64_QEMU_H

#include <stdbool.h>

/* QEMU exits with status 1 for success, 3 for failure (the device turns
 * value v into (v << 1) | 1). Without the device this returns. */
void qemu_exit(bool success);

#endif
