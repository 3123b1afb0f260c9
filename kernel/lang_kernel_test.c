/*
 * In-kernel tests of the init language's kernel home (kernel/lang_kernel.c):
 * scripts compiled and run in the kernel, the hardware words among them,
 * and faults that end a run with a positioned error, not the thread.
 *
 * Each test's body runs in a thread of its own with the stack a machine
 * needs (LANG_KERNEL_STACK_PAGES); the test waits for it.
 */
#include "arch/cpu.h"
#include "core/thread.h"
#include "kernel/fault.h"
#include "kernel/lang_kernel.h"
#include "kernel/pci.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "lib/test.h"

static char out[1024];
static size_t out_len;

static void capture(void *ctx, const char *s, size_t len)
{
	for (size_t i = 0; i < len && out_len + 1 < sizeof out; i++)
		out[out_len++] = s[i];
	out[out_len] = 0;
}

/* Run `text` as script "k" on vm; returns what it printed. */
static const char *run(struct lang_vm *vm, const char *text, enum lm_err *err)
{
	out_len = 0;
	out[0] = 0;
	*err = lang_eval(vm, "k", text, strlen(text));
	return out;
}

static void in_big_thread(void (*body)(void *), void *arg)
{
	struct thread_opts o = {
		.entry = body, .arg = arg, .stack_pages = LANG_KERNEL_STACK_PAGES,
		.name = "lang-test", .hart = -1, .notify = thread_current(), .notify_bits = 1,
	};

	thread_take(1);
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	thread_wait(1);
}

static void body_compiled_code(void *arg)
{
	struct lang_vm *vm;
	enum lm_err err;

	ASSERT_EQ(lang_kernel_new(capture, NULL, &vm), LM_OK);
	EXPECT_STREQ(run(vm, ": sq dup * ; 7 sq . 0 10 0 do i + loop .", &err), "49 45 ");
	EXPECT_EQ(err, LM_OK);
	/* A definition stays for later scripts. */
	EXPECT_STREQ(run(vm, "12 sq .", &err), "144 ");
	EXPECT_STREQ(run(vm, "1 0 /", &err), "k:1:5: error: division by zero\n");
	EXPECT_EQ(err, LM_ERR_FORMAT);
	lang_kernel_free(vm);
}

TEST(lang_kernel, scripts_compile_and_run_in_the_kernel)
{
	in_big_thread(body_compiled_code, NULL);
}

static void body_too_small(void *arg)
{
	struct lang_vm *vm;

	EXPECT_EQ(lang_kernel_new(capture, NULL, &vm), LM_ERR_RANGE);
}

TEST(lang_kernel, a_thread_with_a_small_stack_gets_no_machine)
{
	body_too_small(NULL); /* the test's own thread: one page */
}

static void body_hardware(void *arg)
{
	struct lang_vm *vm;
	enum lm_err err;
	uint32_t a, b, c, d;
	char want[64];
	uint8_t cmos;

	ASSERT_EQ(lang_kernel_new(capture, NULL, &vm), LM_OK);
	cpuid(0, 0, &a, &b, &c, &d);
	fmt_snprintf(want, sizeof want, "%u %u %u %u ", d, c, b, a);
	EXPECT_STREQ(run(vm, "0 0 cpuid . . . .", &err), want);
	/* CMOS status register D through the port words, then directly. */
	run(vm, "variable v 13 0x70 outb 0x71 inb v !", &err);
	EXPECT_EQ(err, LM_OK);
	outb(0x70, 13);
	cmos = inb(0x71);
	fmt_snprintf(want, sizeof want, "%u ", cmos);
	EXPECT_STREQ(run(vm, "v @ .", &err), want);
	if (pci_function_count() > 0) {
		fmt_snprintf(want, sizeof want, "%u %u ", pci_function_get(0)->vendor,
			     pci_function_get(0)->device_id);
		EXPECT_STREQ(run(vm, "0 0 2 pci-cfg@ . 0 2 2 pci-cfg@ .", &err), want);
	} else {
		test_diag("no PCI function: configuration space not read");
	}
	EXPECT_STREQ(run(vm, "0x10000 inb", &err), "k:1:9: error: port out of range\n");
	lang_kernel_free(vm);
}

TEST(lang_kernel, hardware_words_from_a_script)
{
	in_big_thread(body_hardware, NULL);
}

/* A helper that reads any address, ( addr -- v ), so may fault; and one
 * that catches its own fault inside the machine's catcher. */
static int h_peek(struct lang_regs *regs)
{
	uint64_t *cell = (uint64_t *)(uintptr_t)regs->sp;

	*cell = *(volatile uint64_t *)(uintptr_t)*cell;
	return 0;
}

/* The same with interrupts off, as code holding a spinlock would be. */
static int h_peek_irq_off(struct lang_regs *regs)
{
	uint64_t *cell = (uint64_t *)(uintptr_t)regs->sp;

	(void)irq_save();
	*cell = *(volatile uint64_t *)(uintptr_t)*cell;
	irq_enable();
	return 0;
}

static int h_inner_catch(struct lang_regs *regs)
{
	static volatile uintptr_t nowhere = 8;
	struct fault_catch c;

	if (fault_catch_begin(&c) == 0) {
		(void)*(volatile uint64_t *)nowhere;
		fault_catch_end(&c);
		return 0;
	}
	return LANG_ERR_HELPER; /* caught here, not by the machine's guard */
}

static const struct lang_word_def test_words[] = {
	{ "peek-helper", h_peek, 1, 1 },
	{ "inner-catch", h_inner_catch, 0, 0 },
	{ "peek-irq-off", h_peek_irq_off, 1, 1 },
};

static void body_faults(void *arg)
{
	static const char *const errs[] = { "inner fault" };
	struct lang_vm *vm;
	enum lm_err err;
	uint64_t faults = fault_count();

	ASSERT_EQ(lang_kernel_new(capture, NULL, &vm), LM_OK);
	ASSERT_EQ(lang_add_words(vm, test_words, 3, errs, 1), LM_OK);
	/* A page fault in compiled code: named at the word. */
	EXPECT_STREQ(run(vm, "1 2 0 @ .", &err),
		     "k:1:7: error: page fault: reading unmapped page at 0x0\n");
	EXPECT_EQ(err, LM_ERR_FORMAT);
	EXPECT_STREQ(run(vm, ": peek 0x10 @ ;\n  5 peek", &err),
		     "k:1:13: error: page fault: reading unmapped page at 0x10\n");
	/* In a helper (C code): named at the call of the helper. */
	EXPECT_STREQ(run(vm, "1 2 + 0 peek-helper", &err),
		     "k:1:9: error: page fault: reading unmapped page at 0x0\n");
	/* A catcher inside the run takes its own fault; the machine's is
	 * armed again after it. */
	EXPECT_STREQ(run(vm, "inner-catch", &err), "k:1:1: error: inner fault\n");
	EXPECT_STREQ(run(vm, "0 @", &err),
		     "k:1:3: error: page fault: reading unmapped page at 0x0\n");
	/* A fault with interrupts off: they are on again after the run. */
	EXPECT_STREQ(run(vm, "0 peek-irq-off", &err),
		     "k:1:3: error: page fault: reading unmapped page at 0x0\n");
	EXPECT(irq_save());
	irq_enable();
	/* The machine goes on, its stack emptied. */
	EXPECT_STREQ(run(vm, "depth . 1 2 + .", &err), "0 3 ");
	EXPECT_EQ(err, LM_OK);
	EXPECT_EQ(fault_count(), faults); /* no thread died */
	lang_kernel_free(vm);
}

TEST(lang_kernel, a_fault_ends_the_run_with_a_positioned_error)
{
	in_big_thread(body_faults, NULL);
}
