/*
 * Untrusted processes (see process.h, docs/isolation.md).
 *
 * A process is an address space (kernel/aspace.c) holding its image and a
 * stack, and one thread, spawned untrusted and pinned to a hart set apart
 * for untrusted work (core/thread.c refuses anything else there, and the
 * hart is out of the main scheduler). The thread is the process's kernel
 * side: one page, running aspace_run in a loop. A syscall is answered there
 * (exit; a door call through the gate, kernel/gate.c; or, for a process
 * with a personality, by it: kernel/linux/ serves Linux's calls); an exception ends
 * the process with one line naming it and the cause; destroying the space
 * (kill) ends it at its next interrupt, at most a time slice later.
 *
 * Owns the process table. Locking: table_lock (interrupts off) guards the
 * slots; a slot's thread writes its status, marks it ended and signals its
 * waiter under the lock.
 */
#include <stddef.h>

#include <lemmings/process.h>

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
#include "kernel/bootopt.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/gate.h"
#include "kernel/pmm.h"
#include "kernel/process.h"
#include "services/archive.h"
#include "services/service.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define STACK_PAGES PROCESS_STACK_PAGES
#define STACK_TOP PROCESS_STACK_TOP
#define CODE_BASE 0x400000ull
#define REFUSALS_SHOWN 3 /* refused calls reported per process */
#define PERSONALITY_STACK_PAGES 4 /* a personality's calls walk paths on the stack */

struct process {
	bool used, ended;
	uint64_t id;
	char name[PROCESS_NAME_MAX];
	aspace_space space;
	uint32_t hart, status, refusals;
	uint64_t thread_id;    /* its thread's, once it runs */
	struct uvm_regs regs;
	struct gate gate;      /* the doors it was granted */
	struct thread *waiter; /* signalled when it ends */
	uint64_t fpu_page;     /* its vector registers, while not in them */
	/* Another system's interface (kernel/linux/): its syscalls go there
	 * instead of the gate. NULL for a Lemmings program. */
	const struct process_personality *pers;
	void *pers_ctx;
};

static struct process table[PROCESS_MAX];
static struct spinlock table_lock = SPINLOCK_INIT;
static uint64_t next_id = 0x1000; /* a process id is never an error code */
static uint32_t next_hart;

BOOTOPT(untrusted, "harts set apart for untrusted processes, e.g. 3 or 2-3 (default: none)");

enum lm_err untrusted_set_apart(uint32_t hart, bool on)
{
	uint64_t bit = 1ull << hart;
	enum lm_err err;

	if (hart >= hart_count)
		return LM_ERR_NOENT;
	if (!on) {
		bool irq = plat_spin_lock(&table_lock);
		bool busy = false;

		for (int i = 0; i < PROCESS_MAX; i++)
			busy |= table[i].used && !table[i].ended && table[i].hart == hart;
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
	if (__atomic_load_n(&harts[hart].rq.count, __ATOMIC_ACQUIRE) ||
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

/* The thread of process p: run it until it exits, faults or is killed. */
static void run(void *arg)
{
	struct process *p = arg;
	uint32_t status;
	bool irq;

	__atomic_store_n(&p->thread_id, thread_current()->id, __ATOMIC_RELEASE);
	for (uint64_t slice_start = plat_now_ns();; ) {
		/* aspace_run yields after a slice of ring 3 code; a process that
		 * makes syscalls more often than that re-enters it each time, so
		 * the slice is counted here too: it yields to the others of its
		 * priority on the hart at least once a slice. */
		if (plat_now_ns() - slice_start >= ASPACE_SLICE_NS) {
			thread_yield();
			slice_start = plat_now_ns();
		}
		if (aspace_run(p->space, &p->regs, phys_to_virt(p->fpu_page)) != LM_OK) {
			kprintf("untrusted process %llu '%s': killed\n", (unsigned long long)p->id,
				p->name);
			status = PROCESS_KILLED;
			break;
		}
		if (p->regs.trap != UVM_TRAP_SYSCALL) {
			report_fault(p, &p->regs);
			status = PROCESS_FAULTED + (uint32_t)p->regs.trap;
			break;
		}
		if (p->pers) {
			if (!p->pers->syscall(p->pers_ctx, &p->regs, &status))
				continue;
			kprintf("untrusted process %llu '%s': exited with status %u\n",
				(unsigned long long)p->id, p->name, status);
			break;
		}
		if (p->regs.rax == LM_GATE_SYS_EXIT) { /* lemmings/door.h */
			status = (uint32_t)(p->regs.rdi & 0xff);
			kprintf("untrusted process %llu '%s': exited with status %u\n",
				(unsigned long long)p->id, p->name, status);
			break;
		}
		uint64_t asked = p->regs.rax;
		struct gate_verdict v;

		gate_answer(&p->gate, p->space, &p->regs, &v);
		if (v.refused && p->refusals++ < REFUSALS_SHOWN)
			kprintf("untrusted process %llu '%s': call 0x%llx refused: %s\n",
				(unsigned long long)p->id, p->name, (unsigned long long)asked,
				v.refused);
	}
	aspace_destroy(aspace_door_kernel(), p->space); /* LM_ERR_NOENT if killed */
	aspace_destroy_owned(p->id); /* spaces it made through its gate */
	pmm_free_page(p->fpu_page);
	if (p->pers)
		p->pers->ended(p->pers_ctx, status);
	irq = plat_spin_lock(&table_lock);
	p->status = status;
	p->ended = true;
	if (p->waiter)
		thread_signal(p->waiter, THREAD_EV_SERVICE);
	plat_spin_unlock(&table_lock, irq);
}

/* A slot, a set-apart hart, a space with a stack, its grants: all of a
 * process but its image. */
static enum lm_err prepare(const char *name, uint64_t quota, const struct gate_grant *grants,
			   uint32_t ngrants, struct process **out)
{
	uint64_t apart = __atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE);
	struct process *p = NULL;
	aspace_create_result s;
	uint32_t hart = 0;
	bool irq;

	if (!apart)
		return LM_ERR_BUSY;
	if (ngrants > GATE_GRANTS_MAX)
		return LM_ERR_INVAL;
	for (uint32_t i = 0; i < ngrants; i++) {
		struct gate_refusal why;
		enum lm_err err = gate_grantable(&grants[i], &why);

		if (err) {
			kprintf("untrusted '%s': grant %u refused (%s%s%s): %s\n", name, i,
				why.door ? why.door : "an unknown door", why.routine ? ":" : "",
				why.routine ? why.routine : "", why.why);
			return err;
		}
	}
	irq = plat_spin_lock(&table_lock);
	for (int i = 0; i < PROCESS_MAX && !p; i++)
		if (!table[i].used)
			p = &table[i];
	if (p) {
		for (uint32_t n = 0; n < 64; n++) {
			hart = (next_hart + n) % 64;
			if (apart >> hart & 1)
				break;
		}
		next_hart = hart + 1;
		*p = (struct process){.used = true, .id = next_id++, .hart = hart};
	}
	plat_spin_unlock(&table_lock, irq);
	if (!p)
		return LM_ERR_FULL;
	fmt_snprintf(p->name, sizeof p->name, "%s", name);
	s = aspace_create(aspace_door_kernel(), quota);
	if (!aspace_create_result_is_space(s) ||
	    aspace_map(aspace_door_kernel(), s, STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES, 1)) {
		if (aspace_create_result_is_space(s))
			aspace_destroy(aspace_door_kernel(), s);
		p->used = false;
		return aspace_create_result_is_space(s) ? LM_ERR_NOMEM : (enum lm_err)s;
	}
	p->fpu_page = fpu_area_size <= PAGE_SIZE ? pmm_alloc_page() : 0;
	if (!p->fpu_page) {
		aspace_destroy(aspace_door_kernel(), s);
		p->used = false;
		return LM_ERR_NOMEM;
	}
	aspace_fpu_init(phys_to_virt(p->fpu_page));
	p->space = s;
	p->regs = (struct uvm_regs){.rsp = STACK_TOP};
	memcpy(p->gate.grants, grants, ngrants * sizeof *grants);
	p->gate.count = ngrants;
	p->gate.owner = p->id;
	*out = p;
	return LM_OK;
}

/* Undo prepare, for a process that will not run; err passes through. */
static enum lm_err discard(struct process *p, enum lm_err err)
{
	aspace_destroy(aspace_door_kernel(), p->space);
	pmm_free_page(p->fpu_page);
	p->used = false;
	return err;
}

static enum lm_err launch(struct process *p, uint64_t *id)
{
	struct thread_opts o = {.entry = run, .arg = p, .priority = PRIO_REGULAR,
				.name = p->name, .hart = (int)p->hart, .untrusted = true,
				.stack_pages = p->pers ? PERSONALITY_STACK_PAGES : 1};
	enum lm_err err = thread_spawn(&o, NULL);

	if (err)
		return discard(p, err);
	*id = p->id;
	return LM_OK;
}

enum lm_err untrusted_start(const char *name, const void *image, uint64_t size, uint64_t quota,
			    const struct gate_grant *grants, uint32_t ngrants, uint64_t *id)
{
	struct aspace_image img;
	struct process *p;
	enum lm_err err = prepare(name, quota, grants, ngrants, &p);

	if (err)
		return err;
	if ((err = aspace_load(aspace_door_kernel(), p->space, image, size, &img)))
		return discard(p, err);
	p->regs.rip = img.entry;
	return launch(p, id);
}

enum lm_err untrusted_start_code(const char *name, const void *code, uint32_t len,
				 const struct gate_grant *grants, uint32_t ngrants, uint64_t *id)
{
	const struct aspace_door *d = aspace_door_kernel();
	struct process *p;
	enum lm_err err = prepare(name, 64, grants, ngrants, &p);
	uint64_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;

	if (err)
		return err;
	if (!len || (err = aspace_map(d, p->space, CODE_BASE, pages, 1)) ||
	    (err = aspace_write(p->space, CODE_BASE, code, len)) ||
	    (err = aspace_protect(d, p->space, CODE_BASE, pages, 2)))
		return discard(p, err ? err : LM_ERR_INVAL);
	p->regs.rip = CODE_BASE;
	return launch(p, id);
}

enum lm_err untrusted_start_personality(const char *name, uint64_t quota,
					const struct process_personality *pers, void *ctx,
					uint64_t *id)
{
	struct process *p;
	enum lm_err err = prepare(name, quota, NULL, 0, &p);

	if (err)
		return err;
	if ((err = pers->setup(ctx, p->id, p->space, &p->regs)))
		return discard(p, err);
	p->pers = pers;
	p->pers_ctx = ctx;
	return launch(p, id);
}

/* The live slot of id, under table_lock; NULL if none. */
static struct process *find(uint64_t id)
{
	for (int i = 0; i < PROCESS_MAX; i++)
		if (table[i].used && table[i].id == id)
			return &table[i];
	return NULL;
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
	aspace_space s = p && !p->ended ? p->space : 0;

	plat_spin_unlock(&table_lock, irq);
	if (!p)
		return LM_ERR_NOENT;
	if (s)
		aspace_destroy(aspace_door_kernel(), s); /* the runner sees it gone */
	return LM_OK;
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


/* The Process door (sdk/idl/process.idl). */
static process_start_result door_start(const uint8_t *path, uint64_t quota,
				       const struct process_grants *grants)
{
	struct gate_grant given[4];
	struct process_grants g;
	struct archive_entry e;
	enum lm_err err;
	uint64_t id;

	if (!systab_readable(path, 1) || !quota || !systab_readable(grants, sizeof *grants))
		return LM_ERR_INVAL;
	g = *grants;
	if (g.count > 4)
		return LM_ERR_RANGE;
	{
		const struct process_grant *from[4] = {&g.g0, &g.g1, &g.g2, &g.g3};

		for (uint32_t i = 0; i < g.count; i++) {
			memcpy(given[i].door.bytes, &from[i]->id, sizeof given[i].door.bytes);
			given[i].routines = from[i]->routines;
		}
	}
	if ((err = archive_lookup(services_archive(), (const char *)path, &e)))
		return err;
	if (!e.data || !e.size)
		return LM_ERR_FORMAT;
	err = untrusted_start((const char *)path, e.data, e.size, quota, given, g.count, &id);
	return err ? (process_start_result)err : id;
}

static process_status door_wait(process_process id, process_exit_status *out)
{
	uint32_t status;
	enum lm_err err;

	if (!systab_writable(out, sizeof *out))
		return LM_ERR_INVAL;
	if ((err = untrusted_wait(id, &status)))
		return err;
	*out = status;
	return LM_OK;
}

static process_status door_kill(process_process id)
{
	return untrusted_kill(id);
}

static process_status door_set_apart(uint32_t hart, uint32_t on)
{
	if (on > 1)
		return LM_ERR_INVAL;
	return untrusted_set_apart(hart, on);
}

static const struct process_door process_door = {
	.header = PROCESS_DOOR_HEADER,
	.start = door_start,
	.wait = door_wait,
	.kill = door_kill,
	.set_apart = door_set_apart,
};

void untrusted_boot(void)
{
	const char *opt = bootopt_get("untrusted");
	uint64_t mask = 0;
	char err[96];

	service_register(&process_door, "process");
	gate_start();
	if (!opt)
		return;
	kprintf("untrusted: between two processes on a hart, IBPB: %s; before ring 3, VERW: %s\n",
		uvm_has_ibpb() ? "yes" : "no (the CPU has none)",
		uvm_needs_verw() ? "yes" : "no (MDS does not apply, or no MD_CLEAR)");
	if (cmdline_parse_harts(opt, hart_count, &mask, err, sizeof err) != LM_OK) {
		kprintf("untrusted=: %s; no hart set apart\n", err);
		return;
	}
	for (uint32_t i = 0; i < hart_count; i++)
		if (mask >> i & 1 && untrusted_set_apart(i, true) != LM_OK) {
			kprintf("untrusted: hart %u cannot be set apart (the last of the main "
				"scheduler, or busy)\n", i);
			mask &= ~(1ull << i);
		}
	kprintf("untrusted: harts 0x%llx set apart for untrusted processes\n",
		(unsigned long long)mask);
}
