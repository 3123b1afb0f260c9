/*
 * Boot entry: from the boot loader's 32-bit protected mode to 64-bit C.
 *
 * Both Multiboot headers live here. Multiboot 1 (QEMU's -kernel) uses the
 * "a.out kludge" addresses, because QEMU refuses 64-bit ELF files; the build
 * checks (tools/check-image) that the file is laid out exactly as memory is,
 * which is what the kludge needs. Multiboot 2 (GRUB) loads the ELF segments.
 *
 * The boot page tables map the first 4 GiB three times with 2 MiB pages:
 * identity (to survive enabling paging), at the direct map (so C can read the
 * Multiboot information and early page-table pages), and at -2 GiB (the
 * kernel image). kernel/main.c replaces them with the real tables at once.
 *
 * On entry (both protocols): EAX = magic, EBX = physical address of the boot
 * information, interrupts off, paging off.
 */
#include "arch/layout.h"

#define PHYS(x) ((x) - KERNEL_VIRT)

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS ((1 << 1) | (1 << 16)) /* memory map, address fields valid */
#define MB2_MAGIC 0xe85250d6

	.section .multiboot, "a"
	.balign 4
multiboot1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long multiboot1_header         /* header_addr */
	.long KERNEL_PHYS               /* load_addr */
	.long __load_end_phys           /* load_end_addr */
	.long __bss_end_phys            /* bss_end_addr */
	.long boot_entry32              /* entry_addr */

	.balign 8
multiboot2_header:
	.long MB2_MAGIC
	.long 0                         /* architecture: i386 protected mode */
	.long multiboot2_end - multiboot2_header
	.long -(MB2_MAGIC + (multiboot2_end - multiboot2_header))
	/* End tag. */
	.short 0
	.short 0
	.long 8
multiboot2_end:

	.section .boot.text, "ax"
	.code32
	.global boot_entry32
boot_entry32:
	cli
	cld
	movl %eax, %edi                 /* magic, first argument of kmain */
	movl %ebx, %esi                 /* info, second argument */
	movl $PHYS(boot_stack_top), %esp

	/* Long mode needs CPUID leaf 0x80000001 with the LM bit. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, %ebp                 /* keep the NX bit (20) for later */

	/* Page directories: 2048 entries of 2 MiB pages covering 4 GiB. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                 /* present, writable, 2 MiB page */
	movl %eax, (%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	/* Low PDPT: four entries, one per page directory. */
	movl $PHYS(boot_pdpt_low), %ebx
	movl $PHYS(boot_pd) + 0x3, %eax
	movl %eax, 0(%ebx)
	addl $0x1000, %eax
	movl %eax, 8(%ebx)
	addl $0x1000, %eax
	movl %eax, 16(%ebx)
	addl $0x1000, %eax
	movl %eax, 24(%ebx)

	/* High PDPT: slot 510 (-2 GiB) maps the first GiB. */
	movl $PHYS(boot_pdpt_high), %ebx
	movl $PHYS(boot_pd) + 0x3, %eax
	movl %eax, 510 * 8(%ebx)

	/* PML4: identity, direct map, kernel image. */
	movl $PHYS(boot_pml4), %ebx
	movl $PHYS(boot_pdpt_low) + 0x3, %eax
	movl %eax, 0(%ebx)
	movl %eax, 256 * 8(%ebx)
	movl $PHYS(boot_pdpt_high) + 0x3, %eax
	movl %eax, 511 * 8(%ebx)

	/* PAE and global pages on, then the long-mode and no-execute enables. */
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax
	movl %eax, %cr4
	movl %ebx, %cr3
	movl $0xc0000080, %ecx          /* EFER */
	rdmsr
	orl $(1 << 8), %eax             /* LME */
	testl $(1 << 20), %ebp
	jz 2f
	orl $(1 << 11), %eax            /* NXE, when the CPU has NX */
2:	wrmsr

	/* Paging, protection, and write protection for supervisor code. */
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax
	movl %eax, %cr0

	lgdt boot_gdt_pointer
	ljmp $0x08, $boot_entry64

no_long_mode:
	/* Say why on COM1 (no initialisation needed for QEMU), then stop. */
	movl $no_long_mode_msg, %esi
	movw $0x3f8, %dx
3:	lodsb
	testb %al, %al
	jz 4f
	outb %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
boot_entry64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_top, %rsp
	movabsq $kernel_entry64, %rax
	jmp *%rax

	.section .boot.data, "a"
no_long_mode_msg:
	.asciz "Lemmings: this CPU has no 64-bit long mode; stopping.\r\n"

	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdt_pointer:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	/* From here on: higher half. */
	.text
	.global kernel_entry64
kernel_entry64:
	xorl %ebp, %ebp                 /* end of the frame-pointer chain */
	movl %edi, %edi                 /* zero-extend the 32-bit arguments */
	movl %esi, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
