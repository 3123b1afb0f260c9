/*
 * What happens when a thread faults.
 *
 * A fault in an ordinary thread stops that thread alone: the report (what,
 * where, registers, backtrace) goes to the console, a record goes to the
 * ring below, and the hart switches to the next thread. The thread's page is
 * freed like on a normal exit. Faults anywhere else are kernel bugs and
 * panic: in the idle loop or early boot (no thread to stop), and with
 * interrupts disabled (the code may hold a spinlock that would never be
 * released).
 *
 * Locking: fault_lock protects the ring (interrupts are off in handlers).
 * It is taken only to copy a finished record in: the stack is walked (once,
 * for the console and the record alike) and the report printed before.
 */
#include "arch/cpu.h"
#include "arch/spinlock.h"
#include "core/hart.h"
#include "core/thread.h"
#include "kernel/console.h"
#include "kernel/fault.h"
#include "kernel/kstack.h"
#include "kernel/panic.h"
#include "lib/fmt.h"
#include "lib/string.h"

static struct fault_record records[FAULT_RECORDS];
static uint64_t total;
static struct spinlock fault_lock = SPINLOCK_INIT;

uint64_t fault_count(void)
{
	return __atomic_load_n(&total, __ATOMIC_ACQUIRE);
}

const struct fault_record *fault_get(uint64_t i)
{
	if (i >= fault_count() || fault_count() - i > FAULT_RECORDS)
		return NULL;
	return &records[i % FAULT_RECORDS];
}

void fault_catch_arm(struct fault_catch *c)
{
	struct thread *t = thread_current();

	c->prev = t->catch;
	t->catch = c;
}

void fault_catch_end(struct fault_catch *c)
{
	thread_current()->catch = c->prev;
}

/* The backtrace comes formatted: the stack was walked once, outside the
 * lock, which covers only the copy into the ring. */
static void record(struct thread *t, uint64_t vector, uint64_t error, uint64_t rip,
		   uint64_t cr2, const char *reason, const char *backtrace)
{
	struct fault_record *r;
	bool irq = irq_save();

	spin_lock(&fault_lock);
	r = &records[total % FAULT_RECORDS];
	memset(r, 0, sizeof *r);
	r->thread_id = t->id;
	memcpy(r->thread_name, t->name, sizeof r->thread_name - 1);
	r->vector = vector;
	r->error = error;
	r->rip = rip;
	r->cr2 = cr2;
	fmt_snprintf(r->reason, sizeof r->reason, "%s", reason);
	fmt_snprintf(r->backtrace, sizeof r->backtrace, "%s", backtrace);
	__atomic_store_n(&total, total + 1, __ATOMIC_RELEASE);
	spin_unlock(&fault_lock);
	irq_restore(irq);
}

/* Why did it fault, in words? */
void fault_describe(const struct trap_frame *f, uint64_t cr2, char *buf, size_t size)
{
	if (f->vector == VEC_PAGE_FAULT) {
		const char *what = kstack_is_guard(cr2) ? " (stack overflow into the guard page)" : "";
		fmt_snprintf(buf, size, "page fault: %s %s at 0x%llx%s",
			     f->error & 16 ? "executing" : f->error & 2 ? "writing" : "reading",
			     f->error & 1 ? "protected page" : "unmapped page",
			     (unsigned long long)cr2, what);
	} else {
		fmt_snprintf(buf, size, "%s", trap_name(f->vector));
	}
}

__attribute__((noreturn)) void fault_kill_current(const char *reason, uint64_t rip,
						  uint64_t rbp)
{
	struct thread *t = thread_current();
	char backtrace[FAULT_BACKTRACE_SIZE];

	kprintf("\n*** thread %llu (%s) stopped on hart %u: %s\n",
		(unsigned long long)t->id, t->name[0] ? t->name : "unnamed", hart_id(), reason);
	backtrace_print_format(rip, rbp, 0, backtrace, sizeof backtrace);
	record(t, FAULT_PANIC, 0, rip, 0, reason, backtrace);
	this_hart()->in_trap = 0;
	thread_exit();
}

struct trap_frame *fault_handle(struct trap_frame *f)
{
	struct hart *h = this_hart();
	struct thread *t = h->current;
	uint64_t cr2 = read_cr2();
	char why[128], backtrace[FAULT_BACKTRACE_SIZE];

	fault_describe(f, cr2, why, sizeof why);
	if (t && t->catch) {
		struct fault_catch *c = t->catch;

		t->catch = c->prev;
		c->frame = *f;
		c->cr2 = cr2;
		backtrace_format(f->rip, f->rbp, f->rsp, c->backtrace, sizeof c->backtrace);
		/* Resume in ctx_longjmp(c->jb, 1) on the catcher's stack. */
		f->rip = (uint64_t)(uintptr_t)ctx_longjmp;
		f->rdi = (uint64_t)(uintptr_t)c->jb;
		f->rsi = 1;
		f->rsp = c->jb[6] - 8; /* as if called: a return address slot */
		return f;
	}
	if (!t || (t->flags & (THREAD_IDLE | THREAD_STATIC))) {
		kprintf("\n*** %s on hart %u, in %s\n", why, h->id,
			!t ? "no thread" : t->flags & THREAD_IDLE ? "its idle thread" : "the boot thread");
		trap_print_frame(f);
		panic("fault outside any thread that could be stopped");
	}
	if (!(f->rflags & RFLAGS_IF) && h->in_irq) {
		kprintf("\n*** %s on hart %u, in an interrupt handler (thread %llu interrupted)\n",
			why, h->id, (unsigned long long)t->id);
		trap_print_frame(f);
		panic("fault in an interrupt handler");
	}
	/* Preemption off (a scheduler fast path, core/sched.h) is as bad:
	 * the thread may have left a run queue half changed. */
	if (!(f->rflags & RFLAGS_IF) || (h->preempt & PREEMPT_COUNT_MASK)) {
		kprintf("\n*** %s in thread %llu (%s) on hart %u, with interrupts or preemption off\n", why,
			(unsigned long long)t->id, t->name[0] ? t->name : "unnamed", h->id);
		trap_print_frame(f);
		panic("fault in thread %llu with interrupts off: it cannot be stopped safely, "
		      "as it may hold a lock", (unsigned long long)t->id);
	}

	kprintf("\n*** thread %llu (%s) stopped on hart %u: %s\n",
		(unsigned long long)t->id, t->name[0] ? t->name : "unnamed", h->id, why);
	kprintf("  vector %llu (%s)\n", (unsigned long long)f->vector, trap_name(f->vector));
	trap_print_registers(f);
	backtrace_print_format(f->rip, f->rbp, f->rsp, backtrace, sizeof backtrace);
	record(t, f->vector, f->error, f->rip, cr2, why, backtrace);
	h->in_trap = 0;
	thread_exit();
}
