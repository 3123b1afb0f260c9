/*
 * The kernel side of core/platform.h.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/kstack.h"
#include "kernel/panic.h"
#include "kernel/platform.h"
#include "kernel/process.h"
#include "kernel/time.h"
#include "kernel/tlb.h"
#include "kernel/trap.h"

uintptr_t plat_stack_alloc(unsigned pages)
{
	return kstack_alloc(pages);
}

void plat_stack_free(uintptr_t base, unsigned pages)
{
	kstack_free(base, pages);
}

void plat_idle_wait(void)
{
	cpu_enable_and_halt();
	irq_disable();
}

uint64_t plat_now_ns(void)
{
	return time_now_ns();
}

void plat_timer_arm(uint64_t deadline)
{
	time_arm(deadline);
}

/* The wake-up IPI: take in the threads other harts made ready for this one
 * and answer harts asking for work; if one of the new threads is more
 * urgent, the waker asked this hart to look (sched_ask_resched), and
 * returning from the interrupt switches. */
static void wake_irq(struct trap_frame *f)
{
	sched_kicked();
	apic_eoi();
}

/* Another hart panicked: stop here. */
static void stop_irq(struct trap_frame *f)
{
	hart_stop();
}

void platform_init_hart(void)
{
	irq_set_handler(VEC_WAKE, wake_irq);
	irq_set_handler(VEC_STOP, stop_irq);
	tlb_init_hart();
}

void plat_hart_kick(struct hart *h)
{
	apic_send_ipi(h->apic_id, VEC_WAKE);
}

enum lm_err plat_hart_set_apart(uint32_t hart, bool on)
{
	return untrusted_set_apart(hart, on);
}
