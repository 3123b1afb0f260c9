/*
 * The entry pages: code that runs while an address space's tables are
 * loaded, and so must be mapped in them too. The linker puts .entry.text
 * first in the kernel's text and .entry.bss first in its bss
 * (arch/x86_64/kernel.ld); arch/x86_64/vm.c maps them a second time at
 * ENTRY_BASE and ENTRY_DATA_BASE, the one kernel region every address space
 * maps (arch/uvm.h). Code here runs at its ENTRY_BASE alias, so it uses no
 * %rip-relative address outside .entry.text: the entry data by its alias
 * (movabs), kernel data by its absolute address once the kernel's tables
 * are loaded.
 *
 * The entry data (layout in arch/uvm.h): the kernel's CR3 value and IDT
 * pointer, the pointer to the ring 3 IDT, that IDT (every vector to a stub
 * below), then a block per hart: the kernel stack pointer of the thread in
 * ring 3, the user stack pointer at a syscall, the hart's GDT and TSS
 * (arch/x86_64/gdt.c), and a stack: the TSS's RSP0, where the CPU puts an
 * interrupt's frame from ring 3, and where the way out stages registers.
 *
 * While a thread is in ring 3 its hart has the ring 3 IDT loaded: every
 * interrupt or exception there comes from ring 3, and its stub returns from
 * uvm_entry_user to the thread with the vector (arch/uvm.h says what the
 * caller does with it). A syscall returns the same way.
 */
#include "arch/layout.h"
#include "arch/uvm.h"
#include "arch/vector_stubs.h"

#define SEL_USER_DATA 0x1b /* arch/gdt.h */
#define SEL_USER_CODE 0x23

/* struct uvm_regs, by index (arch/uvm.h) */
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8 56
#define R_R9 64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112
#define R_RIP 120
#define R_RSP 128
#define R_RFLAGS 136
#define R_TRAP 144
#define R_ERROR 152

	.section .entry.bss, "aw", @nobits
	.balign 4096
	.globl uvm_entry_data
uvm_entry_data:
	.skip 4096               /* UVM_DATA_*: the CR3 value, IDT pointers */
	.globl uvm_user_idt
uvm_user_idt:
	.skip 4096
	.globl uvm_entry_blocks
uvm_entry_blocks:
	.skip UVM_HARTS << BLOCK_SHIFT

	.section .entry.text, "ax"
	.code64

/*
 * uint64_t uvm_entry_probe(uint64_t cr3, uintptr_t va, uint64_t kernel_cr3)
 * Load cr3, read the eight bytes at va, load kernel_cr3, return what was
 * read. Interrupts are off (the caller's duty) and the kernel's IDT stays
 * loaded: va must be mapped.
 */
	.globl uvm_entry_probe
	.type uvm_entry_probe, @function
uvm_entry_probe:
	mov %rdi, %cr3
	mov (%rsi), %rax
	mov %rdx, %cr3
	ret
	.size uvm_entry_probe, . - uvm_entry_probe

/*
 * void uvm_entry_user(struct uvm_regs *r, uint64_t cr3)
 * Run ring 3 code with all of r's registers in the tables cr3 loads, until
 * it executes `syscall` or an interrupt or exception comes; then r holds
 * its registers and r->trap says which. Interrupts are off on the way in
 * and when this returns; in ring 3 r->rflags decides.
 */
	.globl uvm_entry_user
	.type uvm_entry_user, @function
uvm_entry_user:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi
	mov %gs:HART_ID_OFFSET, %eax
	shl $BLOCK_SHIFT, %rax
	movabs $UVM_BLOCKS_ALIAS, %rdx
	add %rax, %rdx
	mov %rsp, UVM_BLOCK_KERNEL_RSP(%rdx) /* for the way back */
	lea (1 << BLOCK_SHIFT)(%rdx), %rsp /* this hart's block, mapped in both */
	pushq $SEL_USER_DATA
	pushq R_RSP(%rdi)
	pushq R_RFLAGS(%rdi)
	pushq $SEL_USER_CODE
	pushq R_RIP(%rdi)
	push %rsi                         /* cr3 */
	movabs $ENTRY_DATA_BASE, %rax
	pushq UVM_DATA_VERW(%rax)         /* whether to clear CPU buffers (MDS) */
	pushq R_RDI(%rdi)
	lidt UVM_DATA_USER_IDTR(%rax)     /* from here on every trap is ring 3's */
	mov R_RAX(%rdi), %rax
	mov R_RBX(%rdi), %rbx
	mov R_RCX(%rdi), %rcx
	mov R_RDX(%rdi), %rdx
	mov R_RSI(%rdi), %rsi
	mov R_RBP(%rdi), %rbp
	mov R_R8(%rdi), %r8
	mov R_R9(%rdi), %r9
	mov R_R10(%rdi), %r10
	mov R_R11(%rdi), %r11
	mov R_R12(%rdi), %r12
	mov R_R13(%rdi), %r13
	mov R_R14(%rdi), %r14
	mov R_R15(%rdi), %r15
	mov 16(%rsp), %rdi
	mov %rdi, %cr3                    /* the space's tables: no kernel now */
	pop %rdi
	testb $1, (%rsp)
	jz 1f
	verw verw_selector(%rip)          /* last: clears the buffers MDS leaks */
1:	add $16, %rsp
	swapgs
	iretq
verw_selector:
	.word 0x10                        /* any valid selector: the kernel's data */
	.size uvm_entry_user, . - uvm_entry_user

/* Store every register but rax, r10 and base into the struct uvm_regs at
 * base: the two entries differ in those. */
	.macro store_regs base
	mov %rbx, R_RBX(\base)
	mov %rcx, R_RCX(\base)
	mov %rdx, R_RDX(\base)
	mov %rsi, R_RSI(\base)
	mov %rdi, R_RDI(\base)
	mov %rbp, R_RBP(\base)
	mov %r8, R_R8(\base)
	mov %r9, R_R9(\base)
	mov %r11, R_R11(\base)
	mov %r12, R_R12(\base)
	mov %r13, R_R13(\base)
	mov %r14, R_R14(\base)
	mov %r15, R_R15(\base)
	.endm

/*
 * Back to the kernel from ring 3, on the hart's block stack with the user's
 * rax pushed on it (then the vector, the error code and the CPU's frame, for
 * a trap): load the kernel's tables and IDT, find r, the thread's kernel
 * stack, and store every register but rax, rip, rsp and rflags. Leaves r
 * in %rax. A macro: the two entries differ around it.
 */
	.macro to_kernel
	movabs $ENTRY_DATA_BASE, %rax
	push %rbx
	mov UVM_DATA_KERNEL_CR3(%rax), %rbx
	mov %rbx, %cr3                    /* the kernel's tables */
	lidt UVM_DATA_KERNEL_IDTR(%rax)
	pop %rbx
	swapgs
	mov %gs:HART_ID_OFFSET, %eax
	shl $BLOCK_SHIFT, %rax
	mov uvm_entry_blocks+UVM_BLOCK_KERNEL_RSP(%rax), %rax
	mov (%rax), %rax                  /* r, where uvm_entry_user pushed it */
	store_regs %rax
	mov %r10, R_R10(%rax)
	.endm

/* Onto the thread's kernel stack, past r, and return from uvm_entry_user. */
	.macro back_to_thread
	mov %gs:HART_ID_OFFSET, %ebx
	shl $BLOCK_SHIFT, %rbx
	mov uvm_entry_blocks+UVM_BLOCK_KERNEL_RSP(%rbx), %rsp
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.endm

/*
 * The syscall entry (MSR_LSTAR points at its alias), interrupts off
 * (MSR_FMASK). %rcx is the return address, %r11 the flags; every other
 * register is ring 3's (Linux passes a fourth argument in %r10). %r10 is
 * parked in %cr2 to work with until the kernel's tables are loaded (the
 * ring 3 stack may be anything, so not there): nothing can fault on the way,
 * so %cr2 holds it until it is stored.
 */
	.globl uvm_entry_syscall
	.type uvm_entry_syscall, @function
uvm_entry_syscall:
	mov %r10, %cr2
	movabs $ENTRY_DATA_BASE, %r10
	mov UVM_DATA_KERNEL_CR3(%r10), %r10
	mov %r10, %cr3                    /* the kernel's tables */
	movabs $ENTRY_DATA_BASE, %r10
	lidt UVM_DATA_KERNEL_IDTR(%r10)
	swapgs
	mov %gs:HART_ID_OFFSET, %r10d
	shl $BLOCK_SHIFT, %r10
	mov %rsp, uvm_entry_blocks+UVM_BLOCK_USER_RSP(%r10)
	mov uvm_entry_blocks+UVM_BLOCK_KERNEL_RSP(%r10), %rsp
	mov (%rsp), %r10                  /* r */
	mov %rax, R_RAX(%r10)
	store_regs %r10
	mov %cr2, %rbx                    /* ring 3's r10 (its rbx is stored) */
	mov %rbx, R_R10(%r10)
	mov %rcx, R_RIP(%r10)
	mov %r11, R_RFLAGS(%r10)
	movq $UVM_TRAP_SYSCALL, R_TRAP(%r10)
	movq $0, R_ERROR(%r10)
	mov %gs:HART_ID_OFFSET, %eax
	shl $BLOCK_SHIFT, %rax
	mov uvm_entry_blocks+UVM_BLOCK_USER_RSP(%rax), %rax
	mov %rax, R_RSP(%r10)
	back_to_thread
	.size uvm_entry_syscall, . - uvm_entry_syscall

/*
 * An interrupt or exception in ring 3, through the ring 3 IDT: the CPU has
 * put its frame on the hart's block stack (RSP0), the stub the error code
 * (or 0) and the vector.
 */
uvm_entry_trap:
	push %rax
	to_kernel
	pop %rbx
	mov %rbx, R_RAX(%rax)
	pop %rbx
	mov %rbx, R_TRAP(%rax)
	pop %rbx
	mov %rbx, R_ERROR(%rax)
	pop %rbx
	mov %rbx, R_RIP(%rax)
	pop %rbx                          /* cs */
	pop %rbx
	mov %rbx, R_RFLAGS(%rax)
	pop %rbx
	mov %rbx, R_RSP(%rax)
	back_to_thread

	vector_stubs uvm_stub, uvm_entry_trap

	.section .rodata
	.balign 8
	.globl uvm_user_stubs
uvm_user_stubs:
	vector_table uvm_stub, VECTOR_STUB_STRIDE

/* uvm_deliver's `int $v; ret` for each vector (ordinary kernel text), four
 * bytes apart. */
	.text
	.balign 4
uvm_int_0:
	.set .Lint, 0
	.rept 256
	.balign 4
	int $.Lint
	ret
	.set .Lint, .Lint + 1
	.endr

	.section .rodata
	.balign 8
	.globl uvm_int_stubs
uvm_int_stubs:
	vector_table uvm_int, 4
