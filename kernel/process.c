/*
 * Untrusted processes (see process.h, docs/isolation.md).
 *
 * A process is an address space (kernel/aspace.c) holding its image and a
 * stack, and its threads. Each thread has a kernel side of one page,
 * spawned untrusted and pinned to a hart set apart for untrusted work
 * (core/thread.c refuses anything else there, and the hart is out of the
 * main scheduler; a process's threads are spread over the set-apart harts
 * round robin), its own ring 3 registers (the FS base with them) and
 * vector registers; it runs aspace_run in a loop. A syscall is answered
 * there, by the process's personality if it has one (the Linux one), else
 * by the gate's rules (exit; a door call, kernel/gate.c); an exception
 * ends the process with one line naming it and the cause.
 *
 * Ending: the first cause (exit_group, a fault, kill) marks the process
 * dying with its status and destroys its space, so every thread in ring 3
 * comes back at its next interrupt, at most a slice later, and every one
 * blocked in a personality's call is woken (THREAD_EV_SERVICE) and sees
 * untrusted_stopping. The process has ended when its last thread has; its
 * slot stays, with its status, until it is waited for (untrusted_wait, or
 * its parent's untrusted_wait_child), or is freed at once if no one will
 * wait (its parent ended first).
 *
 * Signals (a personality's, numbers 1 .. 64): pending bits on a process
 * and on each thread, set under table_lock by untrusted_post and
 * untrusted_post_thread (unless the process ignores the signal) with the
 * sender's info, taken by the thread (untrusted_take_signal); posting
 * wakes the threads, so that their waits give up (untrusted_signalled),
 * and a thread in ring 3 comes back at its next interrupt for its
 * personality's signalled hook. A process's end posts its parent's
 * child_signal.
 *
 * Exec replaces the space and advances the process's image number; a
 * thread of an older image ends quietly at its next return to the kernel.
 *
 * Owns the process and thread tables. Locking: table_lock (interrupts off)
 * guards the slots' fields marked "lock" in process.h; a thread's kernel
 * side is signalled only under it, while its slot is used, so it is alive.
 */
#include <stddef.h>

#include "arch/fpu.h"
#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/trap.h"
#include "arch/uvm.h"
#include "arch/vm.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched.h"
#include "core/systab.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/console.h"
#include "kernel/gate.h"
#include "kernel/pmm.h"
#include "kernel/process.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define STACK_PAGES PROCESS_STACK_PAGES
#define STACK_TOP PROCESS_STACK_TOP
#define CODE_BASE 0x400000ull
#define REFUSALS_SHOWN 3 /* refused calls reported per process */
#define PERSONALITY_STACK_PAGES 4 /* a personality's calls walk paths on the stack */

static struct process table[PROCESS_MAX];
static struct uthread uthreads[UTHREAD_MAX];
static struct spinlock table_lock = SPINLOCK_INIT;
static uint64_t next_id = 0x1000; /* a process id is never an error code */
static uint32_t next_hart;

enum lm_err untrusted_set_apart(uint32_t hart, bool on)
{
	uint64_t bit = 1ull << hart;
	enum lm_err err;

	if (hart >= hart_count)
		return LM_ERR_NOENT;
	if (!on) {
		bool irq = plat_spin_lock(&table_lock);
		bool busy = false;

		for (int i = 0; i < UTHREAD_MAX; i++)
			busy |= uthreads[i].used && uthreads[i].hart == hart;
		if (!busy)
			__atomic_and_fetch(&untrusted_harts, ~bit, __ATOMIC_ACQ_REL);
		plat_spin_unlock(&table_lock, irq);
		return busy ? LM_ERR_BUSY : sched_hart_join(hart);
	}
	if (__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE) & bit)
		return LM_OK;
	if (__atomic_load_n(&harts[hart].dedicated, __ATOMIC_ACQUIRE))
		return LM_ERR_BUSY;
	if ((err = sched_hart_leave(hart)))
		return err;
	/* Its threads have moved away; a thread pinned there stays: refuse. */
	__atomic_or_fetch(&untrusted_harts, bit, __ATOMIC_ACQ_REL);
	if (rq_ready(&harts[hart].rq) ||
	    __atomic_load_n(&harts[hart].current_priority, __ATOMIC_ACQUIRE) != PRIO_IDLE) {
		__atomic_and_fetch(&untrusted_harts, ~bit, __ATOMIC_ACQ_REL);
		sched_hart_join(hart);
		return LM_ERR_BUSY;
	}
	return LM_OK;
}

/* One line for an exception: which process, what, where. */
static void report_fault(const struct process *p, const struct uvm_regs *r)
{
	if (r->trap == VEC_PAGE_FAULT) {
		const char *how = r->error & 0x10 ? "executing" : r->error & 2 ? "writing" : "reading";
		const char *what = r->error & 1 ? "not permitted" : "not mapped";

		if (r->cr2 >= USER_END)
			what = "kernel memory";

		kprintf("untrusted process %llu '%s': page fault %s 0x%llx (%s) at rip 0x%llx; ended\n",
			(unsigned long long)p->id, p->name, how, (unsigned long long)r->cr2, what,
			(unsigned long long)r->rip);
		return;
	}
	kprintf("untrusted process %llu '%s': %s (error 0x%llx) at rip 0x%llx; ended\n",
		(unsigned long long)p->id, p->name, trap_name(r->trap),
		(unsigned long long)r->error, (unsigned long long)r->rip);
}

/* Wake every thread of p that waits in the kernel. Under table_lock. */
static void wake_threads(struct process *p)
{
	for (int i = 0; i < UTHREAD_MAX; i++)
		if (uthreads[i].used && uthreads[i].p == p && uthreads[i].thread)
			thread_signal(uthreads[i].thread, THREAD_EV_SERVICE);
}

/* Make sig pending on p with info, unless p ignores it, and wake its
 * threads. Under table_lock. */
static void post_locked(struct process *p, uint32_t sig, const struct process_siginfo *info)
{
	uint64_t bit = 1ull << (sig - 1);

	if (__atomic_load_n(&p->sig_ignored, __ATOMIC_ACQUIRE) & bit)
		return;
	p->sig_info[sig - 1] = *info;
	__atomic_or_fetch(&p->sig_pending, bit, __ATOMIC_ACQ_REL);
	wake_threads(p);
}

/* Mark p dying with status, if it is not yet, and wake its threads; the
 * space to destroy then (outside the lock), else 0. Under table_lock. */
static aspace_space end_locked(struct process *p, uint32_t status)
{
	if (p->dying || p->ended)
		return 0;
	p->dying = true;
	p->status = status;
	wake_threads(p);
	return p->space;
}

void untrusted_end(struct process *p, uint32_t status)
{
	bool irq = plat_spin_lock(&table_lock);
	aspace_space s = end_locked(p, status);

	plat_spin_unlock(&table_lock, irq);
	if (s)
		aspace_destroy(aspace_door_kernel(), s); /* ring 3 threads come back */
}

bool untrusted_stopping(const struct uthread *t)
{
	return __atomic_load_n(&t->p->dying, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&t->p->image, __ATOMIC_ACQUIRE) != t->image;
}

struct uthread *untrusted_current(void)
{
	struct thread *me = thread_current();
	struct uthread *t = NULL;
	bool irq = plat_spin_lock(&table_lock);

	for (int i = 0; i < UTHREAD_MAX && !t; i++)
		if (uthreads[i].used && uthreads[i].thread == me)
			t = &uthreads[i];
	plat_spin_unlock(&table_lock, irq);
	return t;
}

unsigned untrusted_thread_count(void)
{
	bool irq = plat_spin_lock(&table_lock);
	unsigned n = 0;

	for (int i = 0; i < UTHREAD_MAX; i++)
		n += uthreads[i].used;
	plat_spin_unlock(&table_lock, irq);
	return n;
}

uint64_t untrusted_parent(const struct process *p)
{
	return __atomic_load_n(&p->parent, __ATOMIC_ACQUIRE);
}

/* The live slot of id, under table_lock; NULL if none. */
static struct process *find(uint64_t id)
{
	for (int i = 0; i < PROCESS_MAX; i++)
		if (table[i].used && table[i].id == id)
			return &table[i];
	return NULL;
}

/* p's last thread has ended: the process has. Its status is p->status.
 * Orphans its children (they free themselves at their end) and wakes
 * whoever waits for it. */
static void process_ended(struct process *p)
{
	struct process *parent;
	bool irq;

	if (p->ops && p->ops->ended)
		p->ops->ended(p);
	aspace_destroy(aspace_door_kernel(), p->space); /* LM_ERR_NOENT if gone */
	aspace_destroy_owned(p->id); /* spaces it made through its gate */
	irq = plat_spin_lock(&table_lock);
	for (int i = 0; i < PROCESS_MAX; i++) {
		struct process *c = &table[i];

		if (!c->used || c->parent != p->id)
			continue;
		__atomic_store_n(&c->parent, 0, __ATOMIC_RELEASE);
		c->reap_self = true;
		if (c->ended)
			c->used = false;
	}
	p->ended = true;
	if (p->waiter)
		thread_signal(p->waiter, THREAD_EV_SERVICE);
	parent = p->parent ? find(p->parent) : NULL;
	if (parent && parent->ops && parent->ops->child_signal) {
		struct process_siginfo si = {PROCESS_SI_CHILD, (uint32_t)p->id, p->status};

		post_locked(parent, parent->ops->child_signal, &si);
	}
	if (parent)
		wake_threads(parent); /* one may wait for its children */
	if (p->reap_self || (p->parent && !parent))
		p->used = false;
	plat_spin_unlock(&table_lock, irq);
}

/* t ends: its slot is free; the process ends with its last thread. */
static void thread_ended(struct uthread *t)
{
	struct process *p = t->p;
	bool irq, last;

	if (p->ops && p->ops->thread_ended)
		p->ops->thread_ended(t);
	pmm_free_page(t->fpu_page);
	irq = plat_spin_lock(&table_lock);
	t->used = false;
	last = --p->threads == 0;
	plat_spin_unlock(&table_lock, irq);
	if (last)
		process_ended(p);
}

/* A syscall of a process without a personality: the gate's rules. */
static enum process_next gate_syscall(struct uthread *t, uint32_t *status)
{
	struct process *p = t->p;
	uint64_t asked = t->regs.rax;
	struct gate_verdict v;

	if (asked == LM_GATE_SYS_EXIT) { /* lemmings/door.h */
		*status = (uint32_t)(t->regs.rdi & 0xff);
		return PROCESS_NEXT_EXIT;
	}
	gate_answer(&p->gate, p->space, &t->regs, &v);
	if (v.refused && p->refusals++ < REFUSALS_SHOWN)
		kprintf("untrusted process %llu '%s': call 0x%llx refused: %s\n",
			(unsigned long long)p->id, p->name, (unsigned long long)asked, v.refused);
	return PROCESS_NEXT_RUN;
}

/* Whether t, running ring 3 code, should come back for a signal. */
static bool signal_waits(const void *ctx)
{
	return untrusted_signalled(ctx) != 0;
}

/* The kernel side of thread t: run it until it, or its process, ends. */
static void run(void *arg)
{
	struct uthread *t = arg;
	struct process *p = t->p;
	enum process_next next = PROCESS_NEXT_RUN;
	uint32_t status = 0;
	bool irq;

	irq = plat_spin_lock(&table_lock);
	t->thread = thread_current();
	if (t->tid == p->id)
		__atomic_store_n(&p->thread_id, thread_current()->id, __ATOMIC_RELEASE);
	plat_spin_unlock(&table_lock, irq);
	for (uint64_t slice_start = plat_now_ns();
	     next == PROCESS_NEXT_RUN && !untrusted_stopping(t);) {
		/* aspace_run yields after a slice of ring 3 code; a process that
		 * makes syscalls more often than that re-enters it each time, so
		 * the slice is counted here too: it yields to the others of its
		 * priority on the hart at least once a slice. */
		if (plat_now_ns() - slice_start >= ASPACE_SLICE_NS) {
			thread_yield();
			slice_start = plat_now_ns();
		}
		if (aspace_run_until(__atomic_load_n(&p->space, __ATOMIC_ACQUIRE), &t->regs,
				     phys_to_virt(t->fpu_page),
				     p->ops && p->ops->signalled ? signal_waits : NULL, t) != LM_OK) {
			/* The space is gone: the process ends (and says why),
			 * or exec replaced it (the loop's test); else a kill
			 * from outside that came without untrusted_end. */
			if (!untrusted_stopping(t))
				untrusted_end(p, PROCESS_KILLED);
			break;
		}
		if (t->regs.trap == ASPACE_TRAP_STOPPED) {
			next = p->ops->signalled(t, &status);
			continue;
		}
		if (t->regs.trap != UVM_TRAP_SYSCALL) {
			report_fault(p, &t->regs);
			untrusted_end(p, PROCESS_FAULTED + (uint32_t)t->regs.trap);
			break;
		}
		next = p->ops ? p->ops->syscall(t, &status) : gate_syscall(t, &status);
	}
	if (next == PROCESS_NEXT_EXIT) {
		kprintf("untrusted process %llu '%s': exited with status %u\n",
			(unsigned long long)p->id, p->name, status);
		untrusted_end(p, status);
	} else if (next == PROCESS_NEXT_THREAD_EXIT) {
		bool last;

		/* The last thread's exit is the process's: each sets the
		 * status, the last one's stays (threads of a replaced image
		 * end without a call, and set nothing). */
		irq = plat_spin_lock(&table_lock);
		if (!p->dying)
			p->status = status;
		last = p->threads == 1;
		plat_spin_unlock(&table_lock, irq);
		if (last)
			kprintf("untrusted process %llu '%s': exited with status %u\n",
				(unsigned long long)p->id, p->name, status);
	} else if (__atomic_load_n(&p->status, __ATOMIC_ACQUIRE) == PROCESS_KILLED &&
		   t->tid == p->id) {
		kprintf("untrusted process %llu '%s': killed\n", (unsigned long long)p->id,
			p->name);
	}
	thread_ended(t);
}

/* A set-apart hart for a new thread, round robin; false if none. */
static bool pick_hart(uint32_t *hart)
{
	uint64_t apart = __atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE);
	bool irq;

	if (!apart)
		return false;
	irq = plat_spin_lock(&table_lock);
	for (uint32_t n = 0; n < 64; n++) {
		*hart = (next_hart + n) % 64;
		if (apart >> *hart & 1)
			break;
	}
	next_hart = *hart + 1;
	plat_spin_unlock(&table_lock, irq);
	return true;
}

/* A thread slot of p with regs and a vector state (a copy of from's, or
 * the initial one), not yet running; NULL if the table is full or no page
 * is left. The first thread of p takes p's id as its tid. */
static struct uthread *uthread_new(struct process *p, const struct uvm_regs *regs,
				   const struct uthread *from, void *pers)
{
	struct uthread *t = NULL;
	uint64_t fpu = fpu_area_size <= PAGE_SIZE ? pmm_alloc_page() : 0;
	uint32_t hart;
	bool irq;

	if (!fpu || !pick_hart(&hart)) {
		if (fpu)
			pmm_free_page(fpu);
		return NULL;
	}
	irq = plat_spin_lock(&table_lock);
	for (int i = 0; i < UTHREAD_MAX && !t; i++)
		if (!uthreads[i].used)
			t = &uthreads[i];
	if (t) {
		*t = (struct uthread){.used = true, .p = p, .hart = hart, .image = p->image,
				      .regs = *regs, .fpu_page = fpu, .pers = pers,
				      .sig_blocked = from ? from->sig_blocked : 0};
		t->tid = p->threads ? next_id++ : p->id;
		p->threads++;
	}
	plat_spin_unlock(&table_lock, irq);
	if (!t) {
		pmm_free_page(fpu);
		return NULL;
	}
	if (from)
		memcpy(phys_to_virt(fpu), phys_to_virt(from->fpu_page), fpu_area_size);
	else
		aspace_fpu_init(phys_to_virt(fpu));
	return t;
}

/* Undo uthread_new for a thread that never ran. */
static void uthread_discard(struct uthread *t)
{
	bool irq = plat_spin_lock(&table_lock);

	t->used = false;
	t->p->threads--;
	plat_spin_unlock(&table_lock, irq);
	pmm_free_page(t->fpu_page);
}

static enum lm_err uthread_launch(struct uthread *t)
{
	struct thread_opts o = {.entry = run, .arg = t, .priority = PRIO_REGULAR,
				.name = t->p->name, .hart = (int)t->hart, .untrusted = true,
				.stack_pages = t->p->ops ? PERSONALITY_STACK_PAGES : 1};

	return thread_spawn(&o, NULL);
}

/* A process slot, named name, its space given; NULL if the table is full. */
static struct process *process_new(const char *name, aspace_space space, uint64_t quota,
				   const struct process_personality *ops, void *pers)
{
	struct process *p = NULL;
	bool irq = plat_spin_lock(&table_lock);

	for (int i = 0; i < PROCESS_MAX && !p; i++)
		if (!table[i].used)
			p = &table[i];
	if (p)
		*p = (struct process){.used = true, .id = next_id++, .space = space,
				      .quota = quota, .ops = ops, .pers = pers};
	if (p) {
		p->pgid = p->id;
		p->sig_ignored = ops && ops->ignored_at_start ? *ops->ignored_at_start : 0;
	}
	plat_spin_unlock(&table_lock, irq);
	if (p)
		fmt_snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}

/* Give the slot of a process that never ran back (its space destroyed). */
static void process_discard(struct process *p)
{
	bool irq;

	aspace_destroy(aspace_door_kernel(), p->space);
	irq = plat_spin_lock(&table_lock);
	p->used = false;
	plat_spin_unlock(&table_lock, irq);
}

/* Start p with one thread at regs; on an error p is discarded. */
static enum lm_err process_launch(struct process *p, const struct uvm_regs *regs,
				  const struct uthread *from, uint64_t *id)
{
	struct uthread *t = uthread_new(p, regs, from, NULL);
	enum lm_err err;

	if (!t) {
		process_discard(p);
		return __atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE) ? LM_ERR_FULL
									  : LM_ERR_BUSY;
	}
	p->hart = t->hart;
	if ((err = uthread_launch(t))) {
		uthread_discard(t);
		process_discard(p);
		return err;
	}
	if (id)
		*id = p->id;
	return LM_OK;
}

enum lm_err untrusted_start_space(const char *name, aspace_space space, uint64_t quota,
				  const struct uvm_regs *regs,
				  const struct process_personality *ops, void *pers, uint64_t *id)
{
	struct process *p;

	if (!__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE)) {
		aspace_destroy(aspace_door_kernel(), space);
		return LM_ERR_BUSY;
	}
	if (!(p = process_new(name, space, quota, ops, pers))) {
		aspace_destroy(aspace_door_kernel(), space);
		return LM_ERR_FULL;
	}
	return process_launch(p, regs, NULL, id);
}

/* A space with a stack, for untrusted_start and untrusted_start_code. */
static enum lm_err stack_space(uint64_t quota, aspace_space *out)
{
	aspace_create_result s = aspace_create(aspace_door_kernel(), quota);

	if (!aspace_create_result_is_space(s))
		return (enum lm_err)s;
	if (aspace_map(aspace_door_kernel(), s, STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES,
		       1)) {
		aspace_destroy(aspace_door_kernel(), s);
		return LM_ERR_NOMEM;
	}
	*out = s;
	return LM_OK;
}

/* Check the grants, as untrusted_start promises. */
static enum lm_err grants_ok(const char *name, const struct gate_grant *grants, uint32_t n)
{
	if (!__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE))
		return LM_ERR_BUSY;
	if (n > GATE_GRANTS_MAX)
		return LM_ERR_INVAL;
	for (uint32_t i = 0; i < n; i++) {
		struct gate_refusal why;
		enum lm_err err = gate_grantable(&grants[i], &why);

		if (err) {
			kprintf("untrusted '%s': grant %u refused (%s%s%s): %s\n", name, i,
				why.door ? why.door : "an unknown door", why.routine ? ":" : "",
				why.routine ? why.routine : "", why.why);
			return err;
		}
	}
	return LM_OK;
}

/* A process in space, granted grants, with one thread at rip (gate rules). */
static enum lm_err start_gated(const char *name, aspace_space s, uint64_t quota, uint64_t rip,
			       const struct gate_grant *grants, uint32_t ngrants,
			       const struct process_personality *ops, void *pers, uint64_t *id)
{
	struct uvm_regs r = {.rip = rip, .rsp = STACK_TOP};
	struct process *p = process_new(name, s, quota, ops, pers);

	if (!p) {
		aspace_destroy(aspace_door_kernel(), s);
		return LM_ERR_FULL;
	}
	memcpy(p->gate.grants, grants, ngrants * sizeof *grants);
	p->gate.count = ngrants;
	p->gate.owner = p->id;
	return process_launch(p, &r, NULL, id);
}

enum lm_err untrusted_start(const char *name, const void *image, uint64_t size, uint64_t quota,
			    const struct gate_grant *grants, uint32_t ngrants, uint64_t *id)
{
	struct aspace_image img;
	aspace_space s;
	enum lm_err err;

	if ((err = grants_ok(name, grants, ngrants)) || (err = stack_space(quota, &s)))
		return err;
	if ((err = aspace_load(aspace_door_kernel(), s, image, size, &img))) {
		aspace_destroy(aspace_door_kernel(), s);
		return err;
	}
	return start_gated(name, s, quota, img.entry, grants, ngrants, NULL, NULL, id);
}

/* Code bytes at CODE_BASE, read and execute, in a space with a stack. */
static enum lm_err code_space(const void *code, uint32_t len, aspace_space *out)
{
	const struct aspace_door *d = aspace_door_kernel();
	uint64_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	enum lm_err err;
	aspace_space s;

	if (!len)
		return LM_ERR_INVAL;
	if ((err = stack_space(64, &s)))
		return err;
	if ((err = aspace_map(d, s, CODE_BASE, pages, 1)) ||
	    (err = aspace_write(s, CODE_BASE, code, len)) ||
	    (err = aspace_protect(d, s, CODE_BASE, pages, 2))) {
		aspace_destroy(d, s);
		return err;
	}
	*out = s;
	return LM_OK;
}

enum lm_err untrusted_start_code(const char *name, const void *code, uint32_t len,
				 const struct gate_grant *grants, uint32_t ngrants, uint64_t *id)
{
	aspace_space s;
	enum lm_err err;

	if ((err = grants_ok(name, grants, ngrants)) || (err = code_space(code, len, &s)))
		return err;
	return start_gated(name, s, 64, CODE_BASE, grants, ngrants, NULL, NULL, id);
}

enum lm_err untrusted_start_code_as(const char *name, const void *code, uint32_t len,
				    const struct process_personality *ops, void *pers,
				    uint64_t *id)
{
	aspace_space s;
	enum lm_err err;

	if ((err = grants_ok(name, NULL, 0)) || (err = code_space(code, len, &s)))
		return err;
	return start_gated(name, s, 64, CODE_BASE, NULL, 0, ops, pers, id);
}

enum lm_err untrusted_thread_new(struct uthread *t, const struct uvm_regs *regs, void *pers,
				 struct uthread **out)
{
	if (untrusted_stopping(t))
		return LM_ERR_BUSY;
	if (!(*out = uthread_new(t->p, regs, t, pers)))
		return LM_ERR_FULL;
	return LM_OK;
}

enum lm_err untrusted_thread_start(struct uthread *n)
{
	enum lm_err err = uthread_launch(n);

	if (err)
		uthread_discard(n);
	return err;
}

enum lm_err untrusted_fork(struct uthread *t, const struct uvm_regs *regs,
			   struct process **child)
{
	struct process *p = t->p, *c;
	aspace_space s;
	enum lm_err err;

	if ((err = aspace_copy(p->space, p->quota, &s)))
		return err;
	if (!(c = process_new(p->name, s, p->quota, p->ops, NULL))) {
		aspace_destroy(aspace_door_kernel(), s);
		return LM_ERR_FULL;
	}
	c->gate.count = p->gate.count;
	memcpy(c->gate.grants, p->gate.grants, sizeof c->gate.grants);
	c->parent = p->id;
	c->pgid = untrusted_pgid(p);
	c->sig_ignored = __atomic_load_n(&p->sig_ignored, __ATOMIC_ACQUIRE);
	if (p->ops && p->ops->forked && (err = p->ops->forked(p, c))) {
		process_discard(c);
		return err;
	}
	if ((err = process_launch(c, regs, t, NULL))) {
		if (c->ops && c->ops->ended)
			c->ops->ended(c);
		return err;
	}
	*child = c;
	return LM_OK;
}

void untrusted_exec(struct uthread *t, aspace_space fresh, const struct uvm_regs *regs,
		    const char *name)
{
	struct process *p = t->p;
	aspace_space old;
	bool irq;

	irq = plat_spin_lock(&table_lock);
	old = p->space;
	__atomic_store_n(&p->space, fresh, __ATOMIC_RELEASE);
	__atomic_store_n(&p->image, p->image + 1, __ATOMIC_RELEASE);
	t->image = p->image;
	wake_threads(p); /* the others end: untrusted_stopping */
	fmt_snprintf(p->name, sizeof p->name, "%s", name);
	plat_spin_unlock(&table_lock, irq);
	aspace_destroy(aspace_door_kernel(), old); /* ring 3 threads come back */
	t->regs = *regs;
	aspace_fpu_init(phys_to_virt(t->fpu_page));
}

enum lm_err untrusted_wait_child(struct uthread *t, uint64_t pid, bool nohang, uint64_t *id,
				 uint32_t *status)
{
	struct process *p = t->p;

	for (;;) {
		bool irq = plat_spin_lock(&table_lock), any = false;
		struct process *done = NULL;

		for (int i = 0; i < PROCESS_MAX && !done; i++) {
			struct process *c = &table[i];

			if (!c->used || c->parent != p->id || (pid && c->id != pid))
				continue;
			any = true;
			if (c->ended)
				done = c;
		}
		if (done) {
			*id = done->id;
			*status = done->status;
			done->used = false;
		}
		plat_spin_unlock(&table_lock, irq);
		if (done)
			return LM_OK;
		if (!any)
			return LM_ERR_NOENT;
		if (nohang)
			return LM_ERR_BUSY;
		if (untrusted_stopping(t) || untrusted_signalled(t))
			return LM_ERR_CLOSED;
		thread_wait(THREAD_EV_SERVICE); /* a child's end wakes its parent's threads */
	}
}

enum lm_err untrusted_wait(uint64_t id, uint32_t *status)
{
	for (;;) {
		bool irq = plat_spin_lock(&table_lock), ended = false;
		struct process *p = find(id);

		if (p && p->ended) {
			*status = p->status;
			p->used = false;
			ended = true;
		} else if (p) {
			p->waiter = thread_current(); /* the last to wait is woken */
		}
		plat_spin_unlock(&table_lock, irq);
		if (!p)
			return LM_ERR_NOENT;
		if (ended)
			return LM_OK;
		thread_wait(THREAD_EV_SERVICE);
	}
}

enum lm_err untrusted_kill(uint64_t id)
{
	bool irq = plat_spin_lock(&table_lock);
	struct process *p = find(id);
	aspace_space s = p ? end_locked(p, PROCESS_KILLED) : 0;

	plat_spin_unlock(&table_lock, irq);
	if (!p)
		return LM_ERR_NOENT;
	if (s)
		aspace_destroy(aspace_door_kernel(), s); /* ring 3 threads come back */
	return LM_OK;
}

enum lm_err untrusted_signal(uint64_t id, const struct process_personality *ops,
			     uint32_t status)
{
	bool irq = plat_spin_lock(&table_lock);
	struct process *p = find(id);
	bool ours = p && p->ops == ops && !p->ended;
	aspace_space s = ours ? end_locked(p, status) : 0;

	plat_spin_unlock(&table_lock, irq);
	if (!ours)
		return LM_ERR_NOENT;
	if (s)
		aspace_destroy(aspace_door_kernel(), s);
	return LM_OK;
}

enum lm_err untrusted_post(int64_t target, const struct process_personality *ops, uint32_t sig,
			   const struct process_siginfo *info)
{
	bool irq, found = false;

	if (sig > PROCESS_SIGNALS)
		return LM_ERR_INVAL;
	irq = plat_spin_lock(&table_lock);
	for (int i = 0; i < PROCESS_MAX; i++) {
		struct process *p = &table[i];

		if (!p->used || p->ops != ops ||
		    (target > 0 ? p->id != (uint64_t)target : p->pgid != (uint64_t)-target))
			continue;
		found = true; /* one that ended, not yet waited for, too (as Linux's zombies) */
		if (sig && !p->dying && !p->ended)
			post_locked(p, sig, info);
	}
	plat_spin_unlock(&table_lock, irq);
	return found ? LM_OK : LM_ERR_NOENT;
}

enum lm_err untrusted_post_thread(uint64_t pid, uint64_t tid,
				  const struct process_personality *ops, uint32_t sig,
				  const struct process_siginfo *info)
{
	struct uthread *t = NULL;
	bool irq;

	if (sig > PROCESS_SIGNALS)
		return LM_ERR_INVAL;
	irq = plat_spin_lock(&table_lock);
	for (int i = 0; i < UTHREAD_MAX && !t; i++)
		if (uthreads[i].used && uthreads[i].tid == tid && uthreads[i].p->id == pid &&
		    uthreads[i].p->ops == ops && !uthreads[i].p->ended)
			t = &uthreads[i];
	if (t && sig && !t->p->dying &&
	    !(__atomic_load_n(&t->p->sig_ignored, __ATOMIC_ACQUIRE) & (1ull << (sig - 1)))) {
		t->p->sig_info[sig - 1] = *info;
		__atomic_or_fetch(&t->sig_pending, 1ull << (sig - 1), __ATOMIC_ACQ_REL);
		if (t->thread)
			thread_signal(t->thread, THREAD_EV_SERVICE);
	}
	plat_spin_unlock(&table_lock, irq);
	return t ? LM_OK : LM_ERR_NOENT;
}

uint64_t untrusted_signalled(const struct uthread *t)
{
	return (__atomic_load_n(&t->sig_pending, __ATOMIC_ACQUIRE) |
		__atomic_load_n(&t->p->sig_pending, __ATOMIC_ACQUIRE)) & ~t->sig_blocked;
}

uint32_t untrusted_take_signal(struct uthread *t, struct process_siginfo *info)
{
	bool irq = plat_spin_lock(&table_lock);
	uint64_t mine = t->sig_pending & ~t->sig_blocked;
	uint64_t theirs = t->p->sig_pending & ~t->sig_blocked;
	uint32_t sig = 0;

	if (mine) {
		sig = (uint32_t)__builtin_ctzll(mine) + 1;
		__atomic_and_fetch(&t->sig_pending, ~(1ull << (sig - 1)), __ATOMIC_ACQ_REL);
		*info = t->p->sig_info[sig - 1];
	} else if (theirs) {
		sig = (uint32_t)__builtin_ctzll(theirs) + 1;
		__atomic_and_fetch(&t->p->sig_pending, ~(1ull << (sig - 1)), __ATOMIC_ACQ_REL);
		*info = t->p->sig_info[sig - 1];
	}
	plat_spin_unlock(&table_lock, irq);
	return sig;
}

uint64_t untrusted_pgid(const struct process *p)
{
	bool irq = plat_spin_lock(&table_lock);
	uint64_t g = p->pgid;

	plat_spin_unlock(&table_lock, irq);
	return g;
}

void untrusted_set_pgid(struct process *p, uint64_t pgid)
{
	bool irq = plat_spin_lock(&table_lock);

	p->pgid = pgid;
	plat_spin_unlock(&table_lock, irq);
}

enum lm_err untrusted_where(uint64_t id, uint32_t *hart, uint64_t *thread_id)
{
	bool irq = plat_spin_lock(&table_lock);
	struct process *p = find(id);

	if (p) {
		*hart = p->hart;
		*thread_id = __atomic_load_n(&p->thread_id, __ATOMIC_ACQUIRE);
	}
	plat_spin_unlock(&table_lock, irq);
	return p ? LM_OK : LM_ERR_NOENT;
}
