/*
 * Where a Linux process's memory goes (kernel/linux/mem.c, load.c).
 */
#ifndef KERNEL_LINUX_MEM_H
#define KERNEL_LINUX_MEM_H

#define LINUX_PIE_BASE 0x555555554000ull /* a static PIE's first page */
#define LINUX_BRK_MAX (1ull << 30)        /* the break grows at most this far */
#define LINUX_MMAP_TOP 0x7f0000000000ull  /* maps go downward from here */
#define LINUX_MMAP_FLOOR 0x600000000000ull

#endif
