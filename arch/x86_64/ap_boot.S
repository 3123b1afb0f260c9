/*
 * Application processor start-up code. The boot hart copies the bytes
 * between ap_boot_start and ap_boot_end to AP_BOOT_PHYS (below 1 MiB, where
 * a start-up IPI can point) and fills in the parameter block at its end.
 * The AP wakes in 16-bit real mode at AP_BOOT_PHYS, climbs to protected
 * mode and then long mode with the page tables the boot hart prepared
 * (identity map of the first 2 MiB plus the kernel half), and jumps to the
 * C entry on the stack it was given.
 *
 * Code here runs at AP_BOOT_PHYS, not where it was linked: addresses are
 * written as AT(label), its offset from the start plus AP_BOOT_PHYS.
 */
#include "arch/smp_boot.h"

#define AT(x) ((x) - ap_boot_start + AP_BOOT_PHYS)

	.section .rodata
	.balign 16
	.global ap_boot_start, ap_boot_end
ap_boot_start:
	.code16
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl AT(ap_gdt_pointer)
	movl %cr0, %eax
	orl $1, %eax                    /* protection on */
	movl %eax, %cr0
	ljmpl $0x08, $AT(ap_protected)

	.code32
ap_protected:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl AT(ap_param_cr3), %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax /* PAE, global pages */
	movl %eax, %cr4
	movl $0xc0000080, %ecx          /* EFER: long mode, and NX as on hart 0 */
	rdmsr
	orl AT(ap_param_efer), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax /* paging, write protection */
	movl %eax, %cr0
	ljmpl $0x18, $AT(ap_long)

	.code64
ap_long:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq AT(ap_param_stack), %rsp
	movq AT(ap_param_arg), %rdi
	xorl %ebp, %ebp
	movq AT(ap_param_entry), %rax
	jmpq *%rax

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
ap_gdt_pointer:
	.short ap_gdt_pointer - ap_gdt - 1
	.long AT(ap_gdt)

	.balign 8
	.global ap_boot_params
ap_boot_params:
ap_param_cr3:
	.quad 0
ap_param_efer:
	.quad 0
ap_param_stack:
	.quad 0
ap_param_entry:
	.quad 0
ap_param_arg:
	.quad 0
ap_boot_end:
