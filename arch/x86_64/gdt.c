/*
 * GDT and TSS, one pair per hart. Segmentation is flat in long mode; the GDT
 * exists for the code segment's L bit, the privilege levels and the TSS,
 * whose only job here is to name the interrupt stacks (and, later, RSP0 for
 * entries from ring 3).
 *
 * Stack sizes: faults and interrupts run C code that prints reports and runs
 * the scheduler, so each IST stack gets four pages, plus an unmapped guard
 * page below (kernel/kstack.c).
 */
#include "arch/gdt.h"
#include "arch/upcalls.h"
#include "lib/string.h"

#define IST_PAGES 4

static uint64_t tss_low(const struct tss *t)
{
	uint64_t base = (uint64_t)(uintptr_t)t, limit = sizeof *t - 1;

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

	memset(a, 0, sizeof *a);
	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffff; /* kernel code: present, ring 0, long mode */
	a->gdt[2] = 0x00cf92000000ffff; /* kernel data */
	a->gdt[3] = 0x00cff2000000ffff; /* user data: ring 3 */
	a->gdt[4] = 0x00affa000000ffff; /* user code: ring 3, long mode */
	a->gdt[5] = tss_low(&a->tss);
	a->gdt[6] = (uint64_t)(uintptr_t)&a->tss >> 32;

	for (int i = 1; i <= IST_COUNT; i++) {
		uintptr_t base = kstack_alloc(IST_PAGES);

		if (!base)
			return -1;
		a->ist_top[i] = base + IST_PAGES * 4096;
		a->tss.ist[i - 1] = a->ist_top[i];
	}
	a->tss.iomap_base = sizeof a->tss; /* no I/O permission bitmap */

	ptr.limit = sizeof a->gdt - 1;
	ptr.base = (uint64_t)(uintptr_t)a->gdt;
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
