/*
 * Starting a Linux program (see linux.h): its command line split into
 * arguments, its executable checked and planned (words.c, elfplan.c),
 * placed in a new untrusted process's space, and the initial stack built
 * (stack.c); then the process runs with this personality's hooks. Also the
 * Linux process door (sdk/idl/linux_process.idl) that init uses for
 * `linux` lines.
 *
 * The start runs on the caller's thread (a door call's: one page of
 * stack), so the big pieces live in a scratch page of its own; the
 * process's state comes from proc.c's table. Placing the program goes
 * through the Address space door's routines and aspace_write, as the
 * untrusted loader does, page ranges at a time: nothing here writes a
 * space's memory directly.
 */
#include <lemmings/linux_process.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/vm.h"
#include "core/systab.h"
#include "kernel/aspace.h"
#include "kernel/console.h"
#include "kernel/linux/exec.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/load.h"
#include "kernel/linux/mem.h"
#include "kernel/linux/proc.h"
#include "kernel/pmm.h"
#include "kernel/process.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/service.h"

#define ARGS_MAX 64
#define ENV_COUNT 3

static char *const environment[ENV_COUNT] = {"PATH=/bin:/usr/bin", "HOME=/", "TERM=vt100"};

/* What a start needs between linux_start and setup: a page of its own. */
struct scratch {
	struct linux_elf_plan plan;
	char *argv[ARGS_MAX];
	int argc;
	const char *stdin_path; /* `< path` on the command line, or NULL */
	char words[1024];
};
_Static_assert(sizeof(struct scratch) <= PAGE_SIZE, "one page");

/* The process's state, and its scratch page while it starts. */
struct start {
	struct linux_proc *lp;
	struct scratch *s;
	uint8_t *stack; /* a page: the image of the stack's top */
};

static const struct aspace_door *as(void)
{
	return aspace_door_kernel();
}

static aspace_prot prot_of(unsigned prot)
{
	return prot & LINUX_PROT_WRITE ? 1 : prot & LINUX_PROT_EXEC ? 2 : 0;
}

/* The segments of the plan, at bias, mapped, copied and protected. */
static enum lm_err place(aspace_space space, const struct linux_elf_plan *p, uint64_t bias,
			 const uint8_t *file)
{
	uint64_t mapped_to = 0;
	enum lm_err err;

	for (uint32_t i = 0; i < p->count; i++) {
		const struct linux_elf_segment *s = &p->seg[i];
		uint64_t lo = (s->vaddr & ~(uint64_t)(PAGE_SIZE - 1)) + bias;
		uint64_t hi = ((s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) + bias;

		if (lo < mapped_to)
			lo = mapped_to; /* a page shared with the segment before */
		if (lo < hi && (err = aspace_map(as(), space, lo, (hi - lo) / PAGE_SIZE, 1)))
			return err == LM_ERR_RANGE ? LM_ERR_FORMAT : err;
		if (hi > mapped_to)
			mapped_to = hi;
		if (s->filesz && (err = aspace_write(space, s->vaddr + bias, file + s->offset, s->filesz)))
			return err;
	}
	for (uint32_t i = 0; i < p->count; i++) {
		const struct linux_elf_segment *s = &p->seg[i];
		uint64_t lo = (s->vaddr & ~(uint64_t)(PAGE_SIZE - 1)) + bias;
		uint64_t hi = ((s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) + bias;

		if (prot_of(s->prot) != 1 && (err = aspace_protect(as(), space, lo, (hi - lo) / PAGE_SIZE,
								 prot_of(s->prot))))
			return err;
	}
	return LM_OK;
}

static uint64_t hwcap(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

static enum lm_err setup(void *ctx, uint64_t id, aspace_space space, struct uvm_regs *r)
{
	struct start *st = ctx;
	struct linux_proc *lp = st->lp;
	struct scratch *s = st->s;
	const uint8_t *file;
	uint64_t size, bias, sp, extra = LINUX_STACK_PAGES - PROCESS_STACK_PAGES;
	struct linux_exec_info info;
	const char *why = NULL;
	struct linux_file *con;
	enum lm_err err;

	lp->pid = id;
	lp->space = space;
	if ((err = linux_archfs_bytes(lp->exe, &file, &size)))
		return err;
	if ((err = linux_elf_plan(file, size, &s->plan, &why))) {
		kprintf("linux: %s: %s\n", lp->exe, why);
		return err;
	}
	if ((s->plan.hi - s->plan.lo) / PAGE_SIZE > LINUX_QUOTA)
		return LM_ERR_NOMEM; /* could never fit: refused before any work */
	bias = s->plan.pie ? LINUX_PIE_BASE - s->plan.lo : 0;
	if ((err = place(space, &s->plan, bias, file)))
		return err;
	lp->brk_start = lp->brk = lp->brk_mapped = s->plan.hi + bias;
	lp->mmap_next = LINUX_MMAP_TOP;
	if ((err = aspace_map(as(), space,
			      PROCESS_STACK_TOP - LINUX_STACK_PAGES * PAGE_SIZE, extra, 1)))
		return err;
	info = (struct linux_exec_info){
		.argv = s->argv, .argc = s->argc, .envp = environment, .envc = ENV_COUNT,
		.execfn = s->argv[0], .phdr = s->plan.phdr + bias, .phnum = s->plan.phnum,
		.entry = s->plan.entry + bias, .hwcap = hwcap(),
	};
	linux_random(info.random, sizeof info.random);
	if ((err = linux_stack_build(&info, PROCESS_STACK_TOP, st->stack, PAGE_SIZE, &sp)))
		return err == LM_ERR_NOSPACE ? LM_ERR_RANGE : err;
	if ((err = aspace_write(space, sp, st->stack + PAGE_SIZE - (PROCESS_STACK_TOP - sp),
				PROCESS_STACK_TOP - sp)))
		return err;
	if (!(con = linux_console_open()))
		return LM_ERR_FULL;
	linux_file_get(con);
	linux_file_get(con);
	for (int fd = 0; fd < 3; fd++)
		lp->fd[fd] = con;
	if (s->stdin_path) {
		long open_err;
		struct linux_file *in;

		if (linux_path_resolve("/", s->stdin_path, lp->path, sizeof lp->path) ||
		    !(in = linux_vfs_open(lp, lp->path, LINUX_O_RDONLY, 0, &open_err)))
			return LM_ERR_NOENT; /* the console's references go with the process */
		linux_file_put(lp->fd[0]);
		lp->fd[0] = in;
	}
	*r = (struct uvm_regs){.rip = s->plan.entry + bias, .rsp = sp};
	return LM_OK;
}

static bool on_syscall(void *ctx, struct uvm_regs *r, uint32_t *status)
{
	return linux_syscall(((struct start *)ctx)->lp, r, status);
}

static void ended(void *ctx, uint32_t status)
{
	struct start *st = ctx;

	linux_proc_free(st->lp);
	pmm_free_page(virt_to_phys_direct(st)); /* the start's page, kept for the hooks */
}

static const struct process_personality personality = {
	.setup = setup, .syscall = on_syscall, .ended = ended,
};

enum lm_err linux_start(const char *command, uint64_t ppid, uint64_t *id)
{
	uint64_t pages[3] = {pmm_alloc_page(), pmm_alloc_page(), pmm_alloc_page()};
	struct linux_proc *lp = linux_proc_alloc();
	struct start *st;
	struct scratch *s;
	enum lm_err err;

	if (!pages[0] || !pages[1] || !pages[2] || !lp) {
		err = lp ? LM_ERR_NOMEM : LM_ERR_FULL;
		goto fail;
	}
	st = phys_to_virt(pages[0]);
	s = phys_to_virt(pages[1]);
	*st = (struct start){.lp = lp, .s = s, .stack = phys_to_virt(pages[2])};
	s->stdin_path = NULL;
	if ((err = linux_words(command, s->words, sizeof s->words, s->argv, ARGS_MAX, &s->argc)))
		goto fail;
	if (s->argc >= 2 && !strcmp(s->argv[s->argc - 2], "<")) { /* `< path`: stdin */
		s->stdin_path = s->argv[s->argc - 1];
		s->argc -= 2;
		s->argv[s->argc] = NULL;
	}
	if (!s->argc) {
		err = LM_ERR_FORMAT;
		goto fail;
	}
	fmt_snprintf(lp->cwd, sizeof lp->cwd, "/");
	if ((err = linux_path_resolve("/", s->argv[0], lp->exe, sizeof lp->exe)))
		goto fail;
	lp->ppid = ppid;
	{
		const char *base = strrchr(lp->exe, '/') + 1;

		fmt_snprintf(lp->name, sizeof lp->name, "%s", *base ? base : lp->exe);
	}
	err = untrusted_start_personality(lp->exe, LINUX_QUOTA, &personality, st, id);
	pmm_free_page(pages[1]);
	pmm_free_page(pages[2]);
	if (err) {
		linux_proc_free(lp);
		pmm_free_page(pages[0]);
	}
	return err;
fail:
	for (int i = 0; i < 3; i++)
		if (pages[i])
			pmm_free_page(pages[i]);
	if (lp)
		linux_proc_free(lp);
	return err;
}

/* The Linux process door. */
static linux_process_start_result door_start(const uint8_t *command)
{
	enum lm_err err;
	uint64_t id;

	if (!systab_readable(command, 1))
		return LM_ERR_INVAL;
	err = linux_start((const char *)command, 1, &id);
	return err ? (linux_process_start_result)err : id;
}

static const struct linux_process_door linux_process_door = {
	.header = LINUX_PROCESS_DOOR_HEADER,
	.start = door_start,
};

void linux_boot(void)
{
	service_register(&linux_process_door, "linux_process");
}
