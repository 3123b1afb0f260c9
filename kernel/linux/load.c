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

/* What a start needs: a page of its own (the caller's stack is a door
 * call's, one page). */
struct scratch {
	char *argv[ARGS_MAX];
	int argc;
	const char *stdin_path; /* `< path` on the command line, or NULL */
	char words[1024];
};
_Static_assert(sizeof(struct scratch) <= PAGE_SIZE, "one page");

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

void linux_proc_name(struct linux_proc *lp)
{
	const char *slash = strrchr(lp->exe, '/');
	const char *base = slash ? slash + 1 : lp->exe;

	fmt_snprintf(lp->name, sizeof lp->name, "%s", *base ? base : lp->exe);
}

/* What building an image needs beside the caller's: two pages. */
struct build {
	struct linux_elf_plan plan;
	uint8_t stack[PAGE_SIZE]; /* the image of the stack's top page */
};

enum lm_err linux_image(const char *path, char *const *argv, int argc, char *const *envp,
			int envc, struct linux_image *out)
{
	uint64_t pages = (sizeof(struct build) + PAGE_SIZE - 1) / PAGE_SIZE, phys, bias, sp;
	struct linux_exec_info info;
	aspace_create_result c;
	const char *why = NULL;
	const uint8_t *file;
	struct build *b;
	aspace_space space;
	enum lm_err err;
	uint64_t size;

	_Static_assert((sizeof(struct build) + PAGE_SIZE - 1) / PAGE_SIZE == 2, "two pages");
	if ((err = linux_archfs_bytes(path, &file, &size)))
		return err;
	if (!(phys = pmm_alloc_run(pages, 0)))
		return LM_ERR_NOMEM;
	b = phys_to_virt(phys);
	if ((err = linux_elf_plan(file, size, &b->plan, &why))) {
		kprintf("linux: %s: %s\n", path, why);
		goto out;
	}
	if ((b->plan.hi - b->plan.lo) / PAGE_SIZE > LINUX_QUOTA) {
		err = LM_ERR_NOMEM; /* could never fit: refused before any work */
		goto out;
	}
	c = aspace_create(as(), LINUX_QUOTA);
	if (!aspace_create_result_is_space(c)) {
		err = (enum lm_err)c;
		goto out;
	}
	space = c;
	bias = b->plan.pie ? LINUX_PIE_BASE - b->plan.lo : 0;
	if ((err = place(space, &b->plan, bias, file)) ||
	    (err = aspace_map(as(), space, PROCESS_STACK_TOP - LINUX_STACK_PAGES * PAGE_SIZE,
			      LINUX_STACK_PAGES, 1)))
		goto destroy;
	info = (struct linux_exec_info){
		.argv = argv, .argc = argc, .envp = envp, .envc = envc,
		.execfn = path, .phdr = b->plan.phdr + bias, .phnum = b->plan.phnum,
		.entry = b->plan.entry + bias, .hwcap = hwcap(),
	};
	linux_random(info.random, sizeof info.random);
	if ((err = linux_stack_build(&info, PROCESS_STACK_TOP, b->stack, PAGE_SIZE, &sp))) {
		err = err == LM_ERR_NOSPACE ? LM_ERR_RANGE : err;
		goto destroy;
	}
	if ((err = aspace_write(space, sp, b->stack + PAGE_SIZE - (PROCESS_STACK_TOP - sp),
				PROCESS_STACK_TOP - sp)))
		goto destroy;
	*out = (struct linux_image){.space = space, .brk = b->plan.hi + bias,
				    .regs = {.rip = b->plan.entry + bias, .rsp = sp}};
	goto out;
destroy:
	aspace_destroy(as(), space);
out:
	pmm_free_run(phys, pages);
	return err;
}

enum lm_err linux_start(const char *command, uint64_t ppid, uint64_t *id)
{
	uint64_t page = pmm_alloc_page();
	struct linux_proc *lp = linux_proc_alloc();
	struct linux_image img;
	struct linux_file *con;
	struct scratch *s;
	enum lm_err err;

	if (!page || !lp) {
		err = lp ? LM_ERR_NOMEM : LM_ERR_FULL;
		goto fail;
	}
	s = phys_to_virt(page);
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
	linux_proc_name(lp);
	if ((err = linux_image(lp->exe, s->argv, s->argc, environment, ENV_COUNT, &img)))
		goto fail;
	if (!(con = linux_console_open())) {
		aspace_destroy(as(), img.space);
		err = LM_ERR_FULL;
		goto fail;
	}
	linux_file_get(con);
	linux_file_get(con);
	for (int fd = 0; fd < 3; fd++)
		lp->fd[fd] = con;
	if (s->stdin_path) {
		long open_err;
		struct linux_file *in;

		if (linux_path_resolve("/", s->stdin_path, lp->path, sizeof lp->path) ||
		    !(in = linux_vfs_open(lp, lp->path, LINUX_O_RDONLY, 0, &open_err))) {
			aspace_destroy(as(), img.space);
			err = LM_ERR_NOENT; /* the console's references go with lp */
			goto fail;
		}
		linux_file_put(lp->fd[0]);
		lp->fd[0] = in;
	}
	lp->space = img.space;
	lp->brk_start = lp->brk = lp->brk_mapped = img.brk;
	lp->mmap_next = LINUX_MMAP_TOP;
	pmm_free_page(page);
	page = 0;
	/* The process owns the space from here, also on an error; its first
	 * call sets lp->pid (linux_personality's syscall hook). */
	err = untrusted_start_space(lp->exe, img.space, LINUX_QUOTA, &img.regs,
				    &linux_personality, lp, id);
	if (err)
		linux_proc_free(lp);
	return err;
fail:
	if (page)
		pmm_free_page(page);
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
