/*
 * What the kernel does with a trap (the architecture's entry stubs save the
 * registers as a struct trap_frame and call trap_dispatch).
 *
 * Exceptions: a fault in a thread stops that thread only (kernel/fault.c
 * decides what to do with it); a fault anywhere else (early boot, the idle
 * loop, an interrupt handler, a fault inside fault handling) is a kernel bug
 * and panics. Interrupts: the handler registered for the vector runs, then
 * the scheduler may switch threads before the frame is resumed: the
 * architecture saves the interrupted thread's state on its stack
 * (preempt_save) and the scheduler sets it aside (sched_preempt).
 *
 * Handlers are registered at boot, before interrupts are on; the table is
 * read without a lock.
 */
#include "arch/cpu.h"
#include "arch/preempt.h"
#include "arch/trap.h"
#include "arch/upcalls.h"
#include "core/hart.h"
#include "core/sched.h"
#include "kernel/console.h"
#include "kernel/fault.h"
#include "kernel/panic.h"
#include "kernel/trap.h"

static irq_handler handlers[256];

void irq_set_handler(uint8_t vector, irq_handler h)
{
	handlers[vector] = h;
}

/* At the end of an interrupt that came while a thread ran with interrupts
 * on: if something more urgent is ready here, switch to it. Returns if the
 * interrupted thread goes on. */
static void preempt(struct trap_frame *f)
{
	struct thread *cur = this_thread();

	if (!(f->rflags & RFLAGS_IF) || !sched_should_preempt())
		return;
	/* Interrupted off its own stack (cannot happen for threads): leave it. */
	if (f->rsp <= cur->stack_base || f->rsp > cur->stack_top)
		return;
	/* Too little room below it to save its state (the vector state
	 * alone is 2.7 KiB with AVX-512): it is not preempted but runs on,
	 * and what woke runs at its next switch. Its stack is whole; only an
	 * access to the guard page is an overflow. */
	if (f->rsp - cur->stack_base < preempt_stack_need() + 64)
		return;
	sched_preempt(cur, preempt_save(f));
}

static struct trap_frame *exception(struct trap_frame *f)
{
	struct hart *h = this_hart();
	struct trap_frame *resume;

	if (f->vector == VEC_DOUBLE_FAULT || f->vector == VEC_MACHINE_CHECK) {
		kprintf("\n*** %s on hart %u\n", trap_name(f->vector), h->id);
		trap_print_frame(f);
		panic("unrecoverable %s", trap_name(f->vector));
	}
	if (h->in_trap++) {
		kprintf("\n*** %s while handling a fault on hart %u\n",
			trap_name(f->vector), h->id);
		trap_print_frame(f);
		panic("fault inside fault handling");
	}
	resume = fault_handle(f);
	h->in_trap--;
	return resume;
}

struct trap_frame *trap_dispatch(struct trap_frame *f)
{
	struct hart *h = this_hart();
	bool was_in_irq;

	if (f->vector < VEC_FIRST_IRQ && f->vector != VEC_NMI)
		return exception(f);

	was_in_irq = hart_irq_enter(h);
	if (handlers[f->vector])
		handlers[f->vector](f);
	else if (f->vector != VEC_SPURIOUS)
		kprintf("trap: unexpected interrupt %llu on hart %u\n",
			(unsigned long long)f->vector, h->id);
	hart_irq_leave(h, was_in_irq);
	if (f->vector == VEC_NMI || was_in_irq)
		return f;
	preempt(f);
	return f;
}
