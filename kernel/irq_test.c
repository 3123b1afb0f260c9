/*
 * In-kernel tests of the Irq door (kernel/intr.c, kernel/irq_door.c),
 * called through the hallway as a driver would, and the interrupt-to-
 * thread benchmark. They need QEMU's edu device (1234:11e8: MSI and INTx;
 * a write to BAR0 + 0x60 raises an interrupt, + 0x64 acknowledges it,
 * + 0x24 is the status) and a virtio network card (MSI-X): tests/irq.t
 * boots such a machine with four harts; tests/kernel.t leaves the irq
 * suite out. bench.irq_to_thread skips itself without an edu device.
 */
#include <lemmings/irq.h>
#include <lemmings/pci.h>

#include "arch/apic.h"
#include "arch/cpu.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/intr.h"
#include "kernel/msi.h"
#include "lib/test.h"

#define EDU_STATUS 0x24
#define EDU_RAISE 0x60
#define EDU_ACK 0x64
#define BIT 5
#define LIVENESS_NS SCHED_TEST_LIVENESS_NS /* a lost interrupt fails, never hangs */

static const struct irq_door *irqd(void)
{
	return irq_door_find();
}

/* The index of the first function vendor:device (or of one of two
 * devices), or NONE. */
#define NONE 0xffffffffu
static uint32_t find(uint16_t vendor, uint16_t dev_a, uint16_t dev_b)
{
	const struct pci_door *d = pci_door_find();
	struct pci_function_info f;
	uint32_t n = pci_count(d);

	for (uint32_t i = 0; i < n; i++)
		if (pci_info(d, i, &f) == LM_OK && f.vendor == vendor &&
		    (f.device_id == dev_a || f.device_id == dev_b))
			return i;
	return NONE;
}

/* edu's registers, enabled and mapped; NULL without one. */
static volatile uint32_t *edu(uint32_t *func)
{
	const struct pci_door *d = pci_door_find();
	uintptr_t va;

	*func = find(0x1234, 0x11e8, 0x11e8);
	if (*func == NONE || pci_enable(d, *func, 0) || pci_map_bar(d, *func, 0, &va))
		return NULL;
	return (volatile uint32_t *)va;
}

static uint64_t me(void)
{
	uint64_t h = 0;

	thread_current_handle(&h);
	return h;
}

/* ---- load: a spinning thread on every hart ---- */

static volatile int load_stop;
static unsigned load_running; /* spinners not yet ended */
#define LOAD_DONE (1ull << 40)

static void spinner(void *arg)
{
	volatile uint64_t x = 0;

	while (!load_stop) {
		for (int i = 0; i < 2000; i++)
			x += i;
		if ((x & 0xff) == 0)
			thread_yield();
	}
	__atomic_fetch_sub(&load_running, 1, __ATOMIC_RELEASE);
}

static unsigned load_start(void)
{
	unsigned n = 0;

	load_stop = 0;
	for (uint32_t h = 0; h < hart_count; h++) {
		struct thread_opts o = {.entry = spinner, .priority = PRIO_REGULAR, .hart = (int)h,
					.name = "irq-load", .notify = thread_current(),
					.notify_bits = LOAD_DONE};

		__atomic_fetch_add(&load_running, 1, __ATOMIC_RELAXED);
		if (thread_spawn(&o, NULL) == LM_OK)
			n++;
		else
			__atomic_fetch_sub(&load_running, 1, __ATOMIC_RELAXED);
	}
	return n;
}

static void load_end(void)
{
	uint64_t by = plat_now_ns() + SCHED_TEST_LIVENESS_NS;

	load_stop = 1;
	/* Each ending signals the same bit, which may merge two: wait until
	 * the count of spinners running is zero, so that none is left over
	 * for the next test's load_start to set going again. */
	while (__atomic_load_n(&load_running, __ATOMIC_ACQUIRE) && plat_now_ns() < by)
		timer_wait_until(LOAD_DONE, plat_now_ns() + 100000000);
	EXPECT_EQ(__atomic_load_n(&load_running, __ATOMIC_ACQUIRE), 0);
}

/* Raise rounds interrupts one after another, each waited for (with a
 * liveness bound) before the next; the binding must have counted each.
 * level: the line is masked by the handler until the test unmasks it.
 * False (with a line saying why) at the first that is missing. */
static bool raise_and_count(volatile uint32_t *regs, uint32_t id, unsigned rounds, bool level)
{
	const struct irq_door *d = irqd();

	for (unsigned i = 1; i <= rounds; i++) {
		uint64_t got, count = 0, t0 = plat_now_ns();

		regs[EDU_RAISE / 4] = 1;
		got = timer_wait_until(1ull << BIT, t0 + LIVENESS_NS);
		irq_count(d, id, &count);
		if (!got || count != i) {
			test_diag("interrupt %u of %u: %s after %llu us, %llu counted", i, rounds,
				  got ? "woken" : "never came", (unsigned long long)(plat_now_ns() - t0) / 1000,
				  (unsigned long long)count);
			return false;
		}
		if ((regs[EDU_STATUS / 4] & 1) != 1) {
			test_diag("interrupt %u: edu's status does not show it", i);
			return false;
		}
		regs[EDU_ACK / 4] = 1;
		if (level && irq_unmask(d, id) != LM_OK)
			return false;
	}
	return true;
}

TEST(irq, msi_interrupts_under_load_on_every_hart_none_lost)
{
	const struct irq_door *d = irqd();
	uint32_t func, id;
	volatile uint32_t *regs = edu(&func);
	unsigned loaders;

	ASSERT(d != NULL);
	ASSERT(regs != NULL);
	EXPECT_EQ(regs[0], 0x010000edu); /* edu's identification register */
	loaders = load_start();
	EXPECT_EQ(loaders, hart_count);
	/* Every hart takes the interrupt in turn, the waiting thread
	 * wherever the scheduler puts it. */
	for (uint32_t h = 0; h < hart_count; h++) {
		bool ok;

		ASSERT_EQ(irq_bind_msi(d, func, me(), BIT, h, &id), LM_OK);
		ok = raise_and_count(regs, id, 250, false);
		EXPECT(ok);
		ASSERT_EQ(irq_unbind(d, id), LM_OK);
		if (!ok)
			break;
	}
	load_end();
	test_diag("%u interrupts counted and waited for, on %u harts", 250 * hart_count, hart_count);
}

TEST(irq, intx_level_line_is_masked_until_unmasked)
{
	const struct irq_door *d = irqd();
	uint32_t func, id;
	volatile uint32_t *regs = edu(&func);
	uint64_t count = 0;

	ASSERT(regs != NULL);
	ASSERT_EQ(irq_bind_intx(d, func, me(), BIT, INTR_HART_ANY, &id), LM_OK);
	/* Raised and not acknowledged: the line stays asserted, and the
	 * handler's mask is all that keeps it from firing again and again. */
	regs[EDU_RAISE / 4] = 1;
	ASSERT(timer_wait_until(1ull << BIT, plat_now_ns() + LIVENESS_NS));
	timer_sleep_ns(5000000);
	ASSERT_EQ(irq_count(d, id, &count), LM_OK);
	EXPECT_EQ(count, 1);
	/* Unmasked while still asserted: it fires once more. */
	ASSERT_EQ(irq_unmask(d, id), LM_OK);
	ASSERT(timer_wait_until(1ull << BIT, plat_now_ns() + LIVENESS_NS));
	ASSERT_EQ(irq_count(d, id, &count), LM_OK);
	EXPECT_EQ(count, 2);
	regs[EDU_ACK / 4] = 1;
	ASSERT_EQ(irq_unmask(d, id), LM_OK);
	ASSERT_EQ(irq_unbind(d, id), LM_OK);

	EXPECT_EQ(load_start(), hart_count);
	ASSERT_EQ(irq_bind_intx(d, func, me(), BIT, INTR_HART_ANY, &id), LM_OK);
	EXPECT(raise_and_count(regs, id, 200, true));
	ASSERT_EQ(irq_unbind(d, id), LM_OK);
	load_end();
}

TEST(irq, msix_entry_is_written_and_masked_on_unbind)
{
	const struct irq_door *d = irqd();
	uint32_t net = find(0x1af4, 0x1000, 0x1041), id, words[4], ctl, entries = 0;
	uint8_t vector;
	uint32_t hart, last = hart_count - 1;

	ASSERT(net != NONE);
	ASSERT_EQ(msix_table_size(net, &entries), LM_OK);
	ASSERT(entries >= 2);
	ASSERT_EQ(irq_bind_msix(d, net, 1, me(), BIT, last, &id), LM_OK);
	ASSERT_EQ(intr_where(id, &vector, &hart), LM_OK);
	EXPECT_EQ(hart, last);
	ASSERT_EQ(msix_read_entry(net, 1, words), LM_OK);
	EXPECT_EQ(words[0], (uint32_t)apic_msi_address(harts[last].apic_id));
	EXPECT_EQ(words[1], 0u);
	EXPECT_EQ(words[2], apic_msi_data(vector));
	EXPECT_EQ(words[3] & 1, 0u); /* unmasked */
	ASSERT_EQ(msix_read_entry(net, 0, words), LM_OK);
	EXPECT_EQ(words[3] & 1, 1u); /* the others masked */
	ASSERT_EQ(pci_read(pci_door_find(), net, msi_cap_offset(net, PCI_CAP_MSIX) + 2, 2, &ctl),
		  LM_OK);
	EXPECT_EQ(ctl & 0xc000, 0x8000u); /* enabled, function not masked */
	/* Another entry is another source; the same one is busy. */
	EXPECT_EQ(irq_bind_msix(d, net, 1, me(), BIT, INTR_HART_ANY, &(uint32_t){0}),
		  LM_ERR_BUSY);
	EXPECT_EQ(irq_bind_msix(d, net, entries, me(), BIT, INTR_HART_ANY, &(uint32_t){0}),
		  LM_ERR_RANGE);
	/* INTx, MSI and MSI-X of one function exclude each other. */
	EXPECT_EQ(irq_bind_intx(d, net, me(), BIT, INTR_HART_ANY, &(uint32_t){0}), LM_ERR_BUSY);
	ASSERT_EQ(irq_unbind(d, id), LM_OK);
	ASSERT_EQ(msix_read_entry(net, 1, words), LM_OK);
	EXPECT_EQ(words[3] & 1, 1u);
	/* The last entry unbound: MSI-X off again. */
	ASSERT_EQ(pci_read(pci_door_find(), net, msi_cap_offset(net, PCI_CAP_MSIX) + 2, 2, &ctl),
		  LM_OK);
	EXPECT_EQ(ctl & 0x8000, 0u);
	EXPECT_EQ(irq_unbind(d, id), LM_ERR_NOENT);
}

static void ends_at_once(void *arg)
{
}

TEST(irq, bad_arguments_get_errors)
{
	const struct irq_door *d = irqd();
	uint32_t func, id, other, host = 0, net = find(0x1af4, 0x1000, 0x1041);
	volatile uint32_t *regs = edu(&func);
	uint64_t dead = 0, n;
	struct thread_opts o = {.entry = ends_at_once, .priority = PRIO_USER, .hart = -1,
				.handle = &dead, .notify = thread_current(), .notify_bits = 1};

	ASSERT(regs != NULL && net != NONE);
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	thread_wait(1);
	EXPECT_EQ(irq_bind_msi(d, 0xffff, me(), BIT, INTR_HART_ANY, &id), LM_ERR_INVAL);
	EXPECT_EQ(irq_bind_intx(d, 0xffff, me(), BIT, INTR_HART_ANY, &id), LM_ERR_INVAL);
	EXPECT_EQ(irq_bind_msix(d, 0xffff, 0, me(), BIT, INTR_HART_ANY, &id), LM_ERR_INVAL);
	EXPECT_EQ(irq_bind_msi(d, net, me(), BIT, INTR_HART_ANY, &id), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(irq_bind_msix(d, func, 0, me(), BIT, INTR_HART_ANY, &id), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(irq_bind_msi(d, host, me(), BIT, INTR_HART_ANY, &id), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(irq_bind_msi(d, func, me(), 61, INTR_HART_ANY, &id), LM_ERR_RANGE);
	EXPECT_EQ(irq_bind_msi(d, func, me(), 255, INTR_HART_ANY, &id), LM_ERR_RANGE);
	EXPECT_EQ(irq_bind_msi(d, func, me(), BIT, hart_count, &id), LM_ERR_RANGE);
	EXPECT_EQ(irq_bind_msi(d, func, dead, BIT, INTR_HART_ANY, &id), LM_ERR_NOENT);
	EXPECT_EQ(irq_bind_msi(d, func, 0x1234, BIT, INTR_HART_ANY, &id), LM_ERR_INVAL);
	EXPECT_EQ(irq_bind_msi(d, func, me(), BIT, INTR_HART_ANY, (uint32_t *)0x10), LM_ERR_INVAL);
	EXPECT_EQ(irq_bind_isa(d, 16, me(), BIT, INTR_HART_ANY, &id), LM_ERR_RANGE);
	EXPECT_EQ(irq_bind_gsi(d, 100000, 0, me(), BIT, INTR_HART_ANY, &id), LM_ERR_UNSUPPORTED);
	EXPECT_EQ(irq_bind_gsi(d, 5, 4, me(), BIT, INTR_HART_ANY, &id), LM_ERR_INVAL);
	EXPECT_EQ(irq_unbind(d, 0x12345), LM_ERR_NOENT);
	EXPECT_EQ(irq_unmask(d, 0xffffffff), LM_ERR_NOENT);
	EXPECT_EQ(irq_count(d, 0x300, &n), LM_ERR_NOENT);

	/* One source, one binding: MSI excludes INTx of the same function,
	 * and a second MSI. */
	ASSERT_EQ(irq_bind_msi(d, func, me(), BIT, INTR_HART_ANY, &id), LM_OK);
	EXPECT_EQ(irq_bind_msi(d, func, me(), BIT + 1, INTR_HART_ANY, &other), LM_ERR_BUSY);
	EXPECT_EQ(irq_bind_intx(d, func, me(), BIT + 1, INTR_HART_ANY, &other), LM_ERR_BUSY);
	EXPECT_EQ(irq_count(d, id, (uint64_t *)0x10), LM_ERR_INVAL);
	ASSERT_EQ(irq_unbind(d, id), LM_OK);
	/* Its id names nothing afterwards, even once the slot is reused. */
	ASSERT_EQ(irq_bind_msi(d, func, me(), BIT, INTR_HART_ANY, &other), LM_OK);
	EXPECT(other != id);
	EXPECT_EQ(irq_count(d, id, &n), LM_ERR_NOENT);
	ASSERT_EQ(irq_unbind(d, other), LM_OK);
}

/*
 * Latency from the device's interrupt to the woken thread running: the
 * waiter sits on hart 1 (halted, as a hart with nothing to do is), the
 * interrupt is aimed at hart 1, and this thread on another hart notes the
 * TSC and writes edu's raise register; the waiter notes the TSC when it
 * runs. The median and the worst of the tries (BENCH lines; bench/
 * kernel-bench gives the ratio to the bare swap).
 */
#define TRIES 51
static volatile uint64_t raised_at, raised_ns;
static uint64_t lat_cycles[TRIES], lat_ns[TRIES];

static void latency_waiter(void *arg)
{
	struct thread *main = arg;

	for (int i = 0; i < TRIES; i++) {
		thread_signal(main, 1ull << 2);
		thread_wait(1ull << BIT);
		lat_cycles[i] = rdtsc() - raised_at;
		lat_ns[i] = plat_now_ns() - raised_ns;
	}
}

static void sort_pairs(uint64_t *ns, uint64_t *cycles, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && ns[j] < ns[j - 1]; j--) {
			uint64_t t = ns[j], c = cycles[j];

			ns[j] = ns[j - 1], cycles[j] = cycles[j - 1];
			ns[j - 1] = t, cycles[j - 1] = c;
		}
}

TEST(bench, irq_to_thread)
{
	const struct irq_door *d = irqd();
	uint32_t func, id, target = this_hart()->id ? 0 : 1;
	volatile uint32_t *regs = d ? edu(&func) : NULL;
	uint64_t handle = 0;
	struct thread_opts o = {.entry = latency_waiter, .arg = thread_current(),
				.priority = PRIO_USER, .hart = (int)target, .handle = &handle,
				.notify = thread_current(), .notify_bits = 1};

	if (!regs || hart_count < 2) {
		test_diag("irq_to_thread: skipped, needs QEMU's edu device and two harts");
		return;
	}
	ASSERT_EQ(thread_spawn(&o, NULL), LM_OK);
	ASSERT_EQ(irq_bind_msi(d, func, handle, BIT, target, &id), LM_OK);
	for (int i = 0; i < TRIES; i++) {
		thread_wait(1ull << 2);
		timer_sleep_ns(1000000); /* let the waiter's hart go idle */
		raised_ns = plat_now_ns();
		raised_at = rdtsc();
		regs[EDU_RAISE / 4] = 1;
		regs[EDU_ACK / 4] = 1;
	}
	thread_wait(1);
	ASSERT_EQ(irq_unbind(d, id), LM_OK);
	sort_pairs(lat_ns, lat_cycles, TRIES);
	bench_report("irq_to_thread", lat_cycles[TRIES / 2], lat_ns[TRIES / 2], 1);
	bench_report("irq_to_thread_worst", lat_cycles[TRIES - 1], lat_ns[TRIES - 1], 1);
}
