/*
 * The kernel's virtual address space. Shared by C and assembly.
 *
 *   0x0000_0000_0000_0000 .. 0x0000_7fff_ffff_ffff  lower half: left empty for
 *                                                    per-process address spaces
 *   0xffff_8000_0000_0000 .. (+64 TiB)               direct map of physical memory
 *   0xffff_c000_0000_0000 .. (+16 TiB)               thread stacks (page + guard)
 *   0xffff_d000_0000_0000 .. (+16 TiB)               programs (the shared address space)
 *   0xffff_f000_0000_0000 .. (+512 GiB)              entry: the kernel's pages that every
 *                                                    address space maps (arch/uvm.h)
 *   0xffff_ffff_8000_0000 .. (top)                   the kernel image (-2 GiB code model)
 *
 * Each region has its own top-level (PML4) slots, whose tables exist from
 * boot on. An address space (arch/uvm.h) copies the entry region's slot only.
 */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#define KERNEL_PHYS 0x100000
#define KERNEL_VIRT 0xffffffff80000000

#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_SIZE 0x0000400000000000 /* 64 TiB */
#define STACKS_BASE 0xffffc00000000000
#define STACKS_SIZE 0x0000100000000000 /* 16 TiB */
#define PROGRAMS_BASE 0xffffd00000000000
#define PROGRAMS_SIZE 0x0000100000000000 /* 16 TiB */
#define ENTRY_BASE 0xfffff00000000000
#define ENTRY_SIZE 0x0000008000000000 /* 512 GiB: one top-level slot */
#define ENTRY_DATA_BASE (ENTRY_BASE + 0x100000) /* the entry data, after the text */

/* Where an address space's own pages may lie: the lower half, but page zero. */
#define USER_BASE 0x1000
#define USER_END 0x0000800000000000

#define PAGE_SIZE 4096
#define PAGE_SHIFT 12

/* Boot stack: used until the first thread exists (and by hart 0's idle loop). */
#define BOOT_STACK_SIZE 16384

#endif
