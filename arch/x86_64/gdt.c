/*
 * GDT and TSS, one pair per hart. Segmentation is flat in long mode; the GDT
 * exists for the code segment's L bit, the privilege levels and the TSS,
 * whose job here is to name the interrupt stacks and RSP0, the stack an
 * interrupt from ring 3 lands on. Both lie in the hart's entry block and
 * are loaded at its alias (arch/uvm.h), so that they are mapped in every
 * address space, where the CPU reads them when an interrupt comes.
 *
 * Stack sizes: faults and interrupts run C code that prints reports and runs
 * the scheduler, so each IST stack gets four pages, plus an unmapped guard
 * page below (kernel/kstack.c).
 */
#include <stddef.h>

#include "arch/gdt.h"
#include "arch/hartlocal.h"
#include "arch/upcalls.h"
#include "arch/uvm.h"
#include "lib/string.h"

#define IST_PAGES 4

extern char uvm_entry_blocks[];

static uint64_t tss_low(uintptr_t t)
{
	uint64_t base = t, limit = sizeof(struct tss) - 1;

	return (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       (0x89ull << 40) /* present, 64-bit TSS available */ |
	       ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
}

int gdt_init_hart(struct arch_hart *a)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr;

	uint32_t id = hartlocal_load(uint32_t, HART_ID_OFFSET);
	uintptr_t block = (uintptr_t)uvm_entry_blocks + ((uintptr_t)id << BLOCK_SHIFT);
	uintptr_t alias = UVM_BLOCKS_ALIAS + ((uintptr_t)id << BLOCK_SHIFT);
	uintptr_t tss_alias = alias + UVM_BLOCK_TABLES + offsetof(struct gdt_tables, tss);
	struct gdt_tables *t = (struct gdt_tables *)(block + UVM_BLOCK_TABLES);

	if (id >= UVM_HARTS)
		return -1;
	memset(a, 0, sizeof *a);
	memset(t, 0, sizeof *t);
	a->tables = t;
	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9a000000ffff; /* kernel code: present, ring 0, long mode */
	t->gdt[2] = 0x00cf92000000ffff; /* kernel data */
	t->gdt[3] = 0x00cff2000000ffff; /* user data: ring 3 */
	t->gdt[4] = 0x00affa000000ffff; /* user code: ring 3, long mode */
	t->gdt[5] = tss_low(tss_alias);
	t->gdt[6] = tss_alias >> 32;
	t->tss.rsp[0] = alias + (1u << BLOCK_SHIFT); /* the block's top */

	for (int i = 1; i <= IST_COUNT; i++) {
		uintptr_t base = kstack_alloc(IST_PAGES);

		if (!base)
			return -1;
		a->ist_top[i] = base + IST_PAGES * 4096;
		t->tss.ist[i - 1] = a->ist_top[i];
	}
	t->tss.iomap_base = sizeof t->tss; /* no I/O permission bitmap */

	ptr.limit = sizeof t->gdt - 1;
	ptr.base = alias + UVM_BLOCK_TABLES;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"(SEL_KERNEL_CODE), "r"(SEL_KERNEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
	return 0;
}

int gdt_ist_of(const struct arch_hart *a, uintptr_t addr)
{
	for (int i = 1; i <= IST_COUNT; i++)
		if (addr < a->ist_top[i] && addr >= a->ist_top[i] - IST_PAGES * 4096)
			return i;
	return 0;
}
