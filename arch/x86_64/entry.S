/*
 * The entry pages: code that runs while an address space's tables are
 * loaded, and so must be mapped in them too. The linker puts .entry.text
 * first in the kernel's text (arch/x86_64/kernel.ld); arch/x86_64/vm.c maps
 * it a second time at ENTRY_BASE, the one kernel region every address space
 * maps (arch/uvm.h). Everything here is called at its ENTRY_BASE alias and
 * touches no kernel data, no stack, nothing but registers and the space's
 * own pages while the space's tables are loaded.
 */
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
