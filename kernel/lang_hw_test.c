/*
 * In-kernel tests of the init language's hardware words (kernel/lang_hw.c),
 * each called as generated code calls it: a helper given a data stack.
 * (Running compiled code in the kernel waits for its executable region.)
 */
#include "arch/cpu.h"
#include "arch/vm.h"
#include "kernel/fault.h"
#include "kernel/lang_hw.h"
#include "kernel/pci.h"
#include "lib/string.h"
#include "lib/test.h"

#define CELLS 8

/* Call word `name` with `in` pushed in order (the last on top); its
 * results go to out, in order; returns its error and sets *depth. */
static int call_word(const char *name, const uint64_t *in, size_t nin, uint64_t *out,
		     size_t *depth)
{
	static uint64_t cells[CELLS];
	struct lang_regs regs = { 0 };
	int err = -1;

	regs.sbase = (uint64_t)(uintptr_t)&cells[CELLS];
	regs.sp = regs.sbase - 8 * nin;
	for (size_t k = 0; k < nin; k++)
		cells[CELLS - 1 - k] = in[k];
	for (size_t i = 0; i < lang_hw_word_count; i++)
		if (strcmp(lang_hw_words[i].name, name) == 0)
			err = lang_hw_words[i].fn(&regs);
	*depth = (size_t)(regs.sbase - regs.sp) / 8;
	for (size_t k = 0; k < *depth && k < CELLS; k++)
		out[k] = cells[CELLS - 1 - k];
	return err;
}

TEST(lang_hw, cpuid_gives_the_four_registers)
{
	uint64_t in[2] = { 0, 0 }, out[CELLS];
	uint32_t a, b, c, d;
	size_t depth;

	ASSERT_EQ(call_word("cpuid", in, 2, out, &depth), 0);
	cpuid(0, 0, &a, &b, &c, &d);
	ASSERT_EQ(depth, 4);
	EXPECT_EQ(out[0], a);
	EXPECT_EQ(out[1], b);
	EXPECT_EQ(out[2], c);
	EXPECT_EQ(out[3], d);
}

/* Does reading this MSR fault here? (QEMU without acceleration reads an
 * unknown MSR as 0 instead of raising #GP; hardware faults.) */
static bool msr_faults(uint32_t msr, uint64_t *value)
{
	struct fault_catch c;

	if (fault_catch_begin(&c) != 0)
		return true;
	*value = rdmsr(msr);
	fault_catch_end(&c);
	return false;
}

TEST(lang_hw, rdmsr_reads_and_a_refused_msr_is_an_error)
{
	uint64_t in[2] = { 0x1b }, out[CELLS], direct = 0;
	size_t depth;

	ASSERT_EQ(call_word("rdmsr", in, 1, out, &depth), 0);
	EXPECT_EQ(depth, 1);
	EXPECT_EQ(out[0], rdmsr(0x1b)); /* IA32_APIC_BASE */
	/* An MSR no CPU has: an error where reading it faults, else the
	 * same value the CPU gives. */
	in[0] = 0x12345678;
	if (msr_faults(0x12345678, &direct)) {
		EXPECT_EQ(call_word("rdmsr", in, 1, out, &depth), LANG_ERR_HELPER + 3);
		EXPECT_EQ(depth, 1); /* the argument stays; the machine empties the stack */
	} else {
		test_diag("rdmsr 0x12345678 does not fault on this CPU: the catch is not exercised");
		EXPECT_EQ(call_word("rdmsr", in, 1, out, &depth), 0);
		EXPECT_EQ(out[0], direct);
	}
	in[0] = 1ull << 32;
	EXPECT_EQ(call_word("rdmsr", in, 1, out, &depth), LANG_ERR_HELPER + 3);
	in[0] = 0;
	in[1] = 1ull << 32;
	EXPECT_EQ(call_word("wrmsr", in, 2, out, &depth), LANG_ERR_HELPER + 3);
}

TEST(lang_hw, port_io_reads_the_cmos)
{
	uint64_t in[2] = { 0x0d, 0x70 }, out[CELLS], direct;
	size_t depth;

	/* CMOS status register D: select it, read it, then again directly. */
	ASSERT_EQ(call_word("outb", in, 2, out, &depth), 0);
	EXPECT_EQ(depth, 0);
	in[0] = 0x71;
	ASSERT_EQ(call_word("inb", in, 1, out, &depth), 0);
	outb(0x70, 0x0d);
	direct = inb(0x71);
	EXPECT_EQ(out[0], direct);
	in[0] = 0x10000;
	EXPECT_EQ(call_word("inb", in, 1, out, &depth), LANG_ERR_HELPER);
	in[0] = 1;
	in[1] = 0x10000;
	EXPECT_EQ(call_word("outl", in, 2, out, &depth), LANG_ERR_HELPER);
}

TEST(lang_hw, mmio_reads_device_memory)
{
	uint64_t in[1] = { 0xfed00000 }, out[CELLS];
	volatile uint32_t *direct;
	void *va;
	size_t depth;

	/* The HPET's capabilities (all ones where there is none). */
	ASSERT_EQ(call_word("mmio@32", in, 1, out, &depth), 0);
	ASSERT_EQ(vm_map_mmio(0xfed00000, 4, &va), LM_OK);
	direct = va;
	EXPECT_EQ(out[0], *direct);
	in[0] = 0xfed00002;
	EXPECT_EQ(call_word("mmio@32", in, 1, out, &depth), LANG_ERR_HELPER + 1);
	in[0] = 1ull << 62;
	EXPECT_EQ(call_word("mmio@8", in, 1, out, &depth), LANG_ERR_HELPER + 2);
}

TEST(lang_hw, pci_configuration_space)
{
	uint64_t in[3] = { 0, 0, 2 }, out[CELLS];
	size_t depth;

	ASSERT_EQ(call_word("pci-count", in, 0, out, &depth), 0);
	EXPECT_EQ(out[0], pci_function_count());
	if (pci_function_count() == 0) {
		test_diag("no PCI function: only the error is checked");
	} else {
		ASSERT_EQ(call_word("pci-cfg@", in, 3, out, &depth), 0);
		EXPECT_EQ(depth, 1);
		EXPECT_EQ(out[0], pci_function_get(0)->vendor);
	}
	in[0] = 100000;
	EXPECT_EQ(call_word("pci-cfg@", in, 3, out, &depth), LANG_ERR_HELPER + 4);
	in[0] = 0;
	in[2] = 3;
	EXPECT_EQ(call_word("pci-cfg@", in, 3, out, &depth), LANG_ERR_HELPER + 4);
}
