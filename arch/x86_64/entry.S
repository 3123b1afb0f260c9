/*
 * The entry pages: code that runs while an address space's tables are
 * loaded, and so must be mapped in them too. The linker puts .entry.text
 * first in the kernel's text and .entry.bss first in its bss
 * (arch/x86_64/kernel.ld); arch/x86_64/vm.c maps them a second time at
 * ENTRY_BASE and ENTRY_DATA_BASE, the one kernel region every address space
 * maps (arch/uvm.h). Code here runs at its ENTRY_BASE alias, so it uses no
 * %rip-relative address: the entry data by its alias (movabs), kernel data
 * by its absolute address once the kernel's tables are loaded.
 *
 * Entry data: the kernel's CR3 value (what a trip into a space loads on the
 * way back), then one 2 KiB block per hart: [0] the kernel stack pointer of
 * the thread that went to ring 3, [8] the user stack pointer at a syscall,
 * the rest a stack used while one set of tables is swapped for the other.
 */
#include "arch/layout.h"
#include "arch/uvm.h"

#define BLOCKS_ALIAS (ENTRY_DATA_BASE + 4096)
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

	.section .entry.bss, "aw", @nobits
	.balign 4096
	.globl uvm_entry_data
uvm_entry_data:
	.skip 4096               /* [0]: the kernel's CR3 value */
	.globl uvm_entry_blocks
uvm_entry_blocks:
	.skip UVM_HARTS << BLOCK_SHIFT

	.section .entry.text, "ax"
	.code64

/*
 * uint64_t uvm_entry_probe(uint64_t cr3, uintptr_t va, uint64_t kernel_cr3)
 * Load cr3, read the eight bytes at va, load kernel_cr3, return what was
 * read. Interrupts are off (the caller's duty): no IDT is mapped meanwhile.
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
 * Run ring 3 code with r's registers in the tables cr3 loads, until it
 * executes `syscall`; then r holds its registers (rip after the syscall;
 * rcx and r11, which syscall and sysret use, and r10, the gate's scratch
 * register, lost). Interrupts are off and stay off in ring 3 (r->rflags is
 * used as given, IF and all). sysret, not iret, goes to ring 3: it takes
 * the user segments from MSR_STAR, where iret would read the GDT, which a
 * space does not map.
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
	movabs $BLOCKS_ALIAS, %rdx
	add %rax, %rdx
	mov %rsp, (%rdx)                  /* the kernel stack, for the way back */
	lea (1 << BLOCK_SHIFT)(%rdx), %rsp /* this hart's block, mapped in both */
	pushq R_RSP(%rdi)
	push %rsi                         /* cr3 */
	pushq R_RDI(%rdi)
	mov R_RAX(%rdi), %rax
	mov R_RBX(%rdi), %rbx
	mov R_RIP(%rdi), %rcx             /* sysret's rip */
	mov R_RDX(%rdi), %rdx
	mov R_RSI(%rdi), %rsi
	mov R_RBP(%rdi), %rbp
	mov R_R8(%rdi), %r8
	mov R_R9(%rdi), %r9
	mov R_R10(%rdi), %r10
	mov R_RFLAGS(%rdi), %r11          /* sysret's rflags */
	mov R_R12(%rdi), %r12
	mov R_R13(%rdi), %r13
	mov R_R14(%rdi), %r14
	mov R_R15(%rdi), %r15
	mov 8(%rsp), %rdi
	mov %rdi, %cr3                    /* the space's tables: no kernel now */
	pop %rdi
	mov 8(%rsp), %rsp                 /* the user stack */
	swapgs
	sysretq                           /* reads no GDT, which is not mapped */
	.size uvm_entry_user, . - uvm_entry_user

/*
 * The syscall entry (MSR_LSTAR points at its alias). From ring 3: %rcx is
 * the return address, %r11 the flags, %r10 free by the gate's convention.
 */
	.globl uvm_entry_syscall
	.type uvm_entry_syscall, @function
uvm_entry_syscall:
	movabs $ENTRY_DATA_BASE, %r10
	mov (%r10), %r10
	mov %r10, %cr3                    /* the kernel's tables */
	swapgs
	mov %gs:HART_ID_OFFSET, %r10d
	shl $BLOCK_SHIFT, %r10
	mov %rsp, uvm_entry_blocks+8(%r10)
	mov uvm_entry_blocks(%r10), %rsp
	pop %r10                          /* r */
	mov %rax, R_RAX(%r10)
	mov %rbx, R_RBX(%r10)
	mov %rcx, R_RIP(%r10)
	movq $0, R_RCX(%r10)
	mov %rdx, R_RDX(%r10)
	mov %rsi, R_RSI(%r10)
	mov %rdi, R_RDI(%r10)
	mov %rbp, R_RBP(%r10)
	mov %r8, R_R8(%r10)
	mov %r9, R_R9(%r10)
	movq $0, R_R10(%r10)
	mov %r11, R_RFLAGS(%r10)
	movq $0, R_R11(%r10)
	mov %r12, R_R12(%r10)
	mov %r13, R_R13(%r10)
	mov %r14, R_R14(%r10)
	mov %r15, R_R15(%r10)
	mov %gs:HART_ID_OFFSET, %eax
	shl $BLOCK_SHIFT, %rax
	mov uvm_entry_blocks+8(%rax), %rax
	mov %rax, R_RSP(%r10)
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size uvm_entry_syscall, . - uvm_entry_syscall
