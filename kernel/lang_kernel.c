/*
 * The init language's home in the kernel (lang_kernel.h).
 *
 * Memory: the machine (struct lang_vm, about 170 KiB) and its code region
 * come from the programs region (core/platform.h: plat_program_reserve),
 * so an unmapped gap page follows each. The code region is mapped
 * writable AND executable: the compiler appends to it and runs each
 * top-level line at once, a line at a time, so W^X would mean two
 * remappings and a TLB shootdown of every hart per line typed or per
 * script line; that is not cheap, and the code the region holds is only
 * what the compiler (lang/, arch/lang_emit.c) writes. The return stack is
 * the lower part of the calling thread's own stack (its guard page below
 * it): compiled code then runs on the thread's stack, where preemption
 * (kernel/trap.c) and the stack-overflow report expect a thread to be.
 *
 * Faults: every run goes through guard(), which arms a fault catcher
 * (kernel/fault.h). A CPU fault during the run (a page fault from @ of an
 * unmapped address, a #GP from a privileged instruction, a division in a
 * helper...) comes back here instead of stopping the thread; the run ends
 * with LANG_ERR_FAULT, named at the word that faulted: the faulting
 * instruction if it is compiled code, else (a fault inside a helper, C
 * code) the return address into compiled code found by walking the
 * frame-pointer chain on the return stack. Interrupts are put back as they
 * were when the run started. Not covered: a fault inside a helper, or a
 * door routine it calls, while it holds a lock leaves the lock held (none
 * of the kernel's own words does: the console's output is copied before
 * its lock is taken, kernel/shell.c).
 *
 * Locking: none; a machine belongs to the thread that made it.
 */
#include "kernel/lang_kernel.h"

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/fault.h"
#include "kernel/lang_hw.h"

/* The machine and what the home keeps beside it, in one reservation. */
struct lang_home {
	struct lang_vm vm; /* first: lang_kernel_free finds the home from it */
	struct fault_catch catch;
	struct lang_mem mem;
	uint64_t rstack_lo, rstack_hi;
};

#define HOME_SIZE ((sizeof(struct lang_home) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1))
#define C_STACK_ROOM (16 * 1024) /* above the return stack: the caller's C frames */

static bool in_code(const struct lang_vm *vm, uint64_t pc)
{
	uint64_t base = (uint64_t)(uintptr_t)vm->code.base;

	return pc >= base && pc < base + vm->code.pos;
}

/* Where in the compiled code the fault happened: the faulting instruction
 * itself, or the call into the helper that faulted. */
static uint64_t code_pc(const struct lang_home *h, const struct trap_frame *f)
{
	uint64_t rbp = f->rbp;

	if (in_code(&h->vm, f->rip))
		return f->rip + 1;
	for (int depth = 0; depth < 64; depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (rbp % 8 || rbp < h->rstack_lo || rbp + 16 > h->rstack_hi)
			return 0;
		if (in_code(&h->vm, frame[1]))
			return frame[1];
		if (frame[0] <= rbp)
			return 0; /* the chain goes up the stack, or it is not a chain */
		rbp = frame[0];
	}
	return 0;
}

static int guard(struct lang_vm *vm, void *ctx, const void *code)
{
	struct lang_home *h = ctx;
	bool irq_on = irq_save();
	int err;

	irq_restore(irq_on);
	if (fault_catch_begin(&h->catch) == 0) {
		err = vm->enter(&vm->regs, code);
		fault_catch_end(&h->catch);
		return err;
	}
	/* The catch resumes with the faulting code's flags: a helper that
	 * faulted with interrupts off would leave them off. */
	irq_restore(irq_on);
	fault_describe(&h->catch.frame, h->catch.cr2, vm->fault, sizeof vm->fault);
	vm->regs.fault_pc = code_pc(h, &h->catch.frame);
	return LANG_ERR_FAULT;
}

/* The code region: reserved writable, then made executable as well. */
static enum lm_err code_alloc(uint64_t *base)
{
	enum lm_err err = plat_program_reserve(LANG_KERNEL_CODE_SIZE, base);

	if (err)
		return err;
	for (uint64_t va = *base; va < *base + LANG_KERNEL_CODE_SIZE; va += PAGE_SIZE) {
		uint64_t phys = vm_unmap_page((uintptr_t)va);

		if (!phys || vm_map_page((uintptr_t)va, phys, VM_WRITE | VM_EXEC)) {
			/* Pages already moved out of the reservation are lost
			 * to it; give back the rest. */
			if (phys)
				plat_page_free(phys_to_virt(phys));
			if (va + PAGE_SIZE < *base + LANG_KERNEL_CODE_SIZE)
				plat_program_release(va + PAGE_SIZE,
						     *base + LANG_KERNEL_CODE_SIZE - va - PAGE_SIZE);
			if (va > *base)
				plat_program_release(*base, va - *base);
			return LM_ERR_NOMEM;
		}
	}
	/* Only this hart has seen the reservation's first mapping (the pages
	 * were zeroed through the direct map): no other TLB holds it. */
	return LM_OK;
}

enum lm_err lang_kernel_new(lang_write_fn *write, void *ctx, struct lang_vm **out)
{
	struct thread *t = thread_current();
	struct lang_home *h;
	uint64_t home, code;
	enum lm_err err;

	if (t->stack_top - t->stack_base < LANG_KERNEL_STACK_PAGES * PAGE_SIZE - PAGE_SIZE)
		return LM_ERR_RANGE;
	err = plat_program_reserve(HOME_SIZE, &home);
	if (err)
		return err;
	err = code_alloc(&code);
	if (err) {
		plat_program_release(home, HOME_SIZE);
		return err;
	}
	h = (struct lang_home *)(uintptr_t)home;
	h->rstack_lo = t->stack_base;
	h->rstack_hi = (t->stack_top - C_STACK_ROOM) & ~(uint64_t)15;
	h->mem = (struct lang_mem){
		.code = (void *)(uintptr_t)code,
		.code_size = LANG_KERNEL_CODE_SIZE,
		.rstack = (void *)(uintptr_t)h->rstack_lo,
		.rstack_size = h->rstack_hi - h->rstack_lo,
	};
	err = lang_init(&h->vm, &h->mem, write, ctx);
	if (!err)
		err = lang_hw_add(&h->vm);
	if (err) {
		lang_kernel_free(&h->vm);
		return err;
	}
	lang_set_guard(&h->vm, guard, h);
	/* The kernel's language may read and write any address: a wrong one
	 * faults, and the guard makes that the script's error. */
	lang_set_memory_range(&h->vm, 0, UINTPTR_MAX);
	*out = &h->vm;
	return LM_OK;
}

void lang_kernel_free(struct lang_vm *vm)
{
	struct lang_home *h = (struct lang_home *)vm;

	plat_program_release((uint64_t)(uintptr_t)h->mem.code, LANG_KERNEL_CODE_SIZE);
	plat_program_release((uint64_t)(uintptr_t)h, HOME_SIZE);
}
