/*
 * The init language's shell on the serial console (kernel/shell.c).
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

/* Start the console's shell in a thread of its own, unless the boot
 * option shell=off says not to. */
void kshell_start(void);

#endif
