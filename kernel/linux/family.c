/*
 * A Linux process's family (see linux.h, docs/linux.md): fork (fork,
 * vfork, clone without a shared space), execve, wait4, getppid, and the personality's hooks that kernel/process.c calls.
 *
 * The process table's calls do the work (kernel/process.h): a fork is
 * untrusted_fork, whose forked hook gives the child a copy of the parent's
 * state (its descriptors share the parent's open files, as Linux's do); an
 * execve builds the new image in a space of its own first (load.c), so a
 * failure leaves the caller running, then untrusted_exec swaps it in; wait4
 * is untrusted_wait_child (a signal interrupts it: signal.c restarts it
 * or returns EINTR). kill and tgkill are signal.c's.
 *
 * Threads: clone with CLONE_THREAD (and CLONE_VM) is untrusted_thread_new,
 * the thread's registers from the caller's but its stack and TLS; its
 * clear_child_tid address is its uthread's pers, written 0 and its futex
 * woken when it ends (set_tid_address sets it too). clone of a shared
 * space without CLONE_THREAD or CLONE_VFORK (a process sharing memory
 * apart) is refused: ENOSYS.
 */
#include "kernel/aspace.h"
#include "kernel/console.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/mem.h"
#include "kernel/linux/proc.h"
#include "kernel/pmm.h"
#include "kernel/process.h"
#include "arch/vm.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define CLONE_VM 0x100
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000
#define WNOHANG 1
#define EXEC_ARGS 128    /* arguments, and environment strings, each */
#define EXEC_PAGES 4     /* for their pointers and strings */

/* --- the personality's hooks */

static enum process_next on_syscall(struct uthread *t, uint32_t *status)
{
	struct linux_proc *lp = t->p->pers;

	lp->pid = t->p->id;
	return linux_syscall(lp, t, status);
}

/* What clone asked for the child, for the forked hook (the caller's state
 * while its fork runs). */
struct fork_ask {
	uint64_t flags, ctid;
};

static enum lm_err on_forked(struct process *parent, struct process *child)
{
	struct linux_proc *from = parent->pers, *lp = linux_proc_alloc();
	const struct fork_ask *ask = (const void *)from->buf; /* put there by do_fork */
	uint32_t tid = (uint32_t)child->id;

	if (!lp)
		return LM_ERR_FULL;
	memcpy((char *)lp + sizeof lp->used, (char *)from + sizeof from->used,
	       sizeof *lp - sizeof lp->used);
	lp->pid = child->id;
	lp->ppid = parent->id;
	lp->space = child->space;
	lp->regs = NULL;
	lp->thread = NULL;
	lp->exited = lp->thread_exit = false;
	lp->call_lock = (struct spinlock)SPINLOCK_INIT;
	lp->call_busy = false; /* the parent's call holds its own */
	lp->call_waiters = NULL;
	for (int fd = 0; fd < LINUX_FDS; fd++)
		if (lp->fd[fd])
			linux_file_get(lp->fd[fd]);
	if (ask->flags & CLONE_CHILD_SETTID)
		aspace_write(child->space, ask->ctid, &tid, sizeof tid); /* a bad one: ignored */
	child->pers = lp;
	return LM_OK;
}

/* A thread ends: its clear_child_tid word is set to 0 and one waiter on it
 * woken (pthread_join), unless its whole process is going. */
static void on_thread_ended(struct uthread *t)
{
	uint64_t ctid = (uint64_t)(uintptr_t)t->pers;
	aspace_space space = t->p->space;
	uint32_t zero = 0;

	if (!ctid || untrusted_stopping(t))
		return;
	if (!aspace_write(space, ctid, &zero, sizeof zero))
		linux_futex_wake(space, ctid, 1);
}

static void on_ended(struct process *p)
{
	linux_proc_free(p->pers);
}

const struct process_personality linux_personality = {
	.syscall = on_syscall,
	.forked = on_forked,
	.thread_ended = on_thread_ended,
	.ended = on_ended,
	.signalled = linux_signal_interrupted,
	.child_signal = LINUX_SIGCHLD,
	.ignored_at_start = &linux_signals_ignored_at_start,
};

/* --- fork */

/* A thread of the caller's process, as clone makes it. */
static long new_thread(struct linux_proc *lp, const struct uvm_regs *r, uint64_t flags,
		       uint64_t ptid, uint64_t ctid)
{
	struct uthread *n;
	enum lm_err err;
	uint32_t tid;

	if (!(flags & CLONE_VM))
		return LINUX_ERR(LINUX_EINVAL);
	err = untrusted_thread_new(lp->thread, r, (void *)(uintptr_t)(
					   flags & CLONE_CHILD_CLEARTID ? ctid : 0), &n);
	if (err)
		return err == LM_ERR_FULL ? LINUX_ERR(LINUX_EAGAIN) : linux_errno(err);
	/* Before it runs: it may read its tid there, or end and clear it. */
	tid = (uint32_t)n->tid;
	if (flags & CLONE_PARENT_SETTID)
		linux_copy_out(lp, ptid, &tid, sizeof tid);
	if (flags & CLONE_CHILD_SETTID)
		linux_copy_out(lp, ctid, &tid, sizeof tid);
	if ((err = untrusted_thread_start(n)))
		return linux_errno(err);
	return (long)tid;
}

static long do_fork(struct linux_proc *lp, uint64_t flags, uint64_t stack, uint64_t ptid,
		    uint64_t ctid, uint64_t tls)
{
	struct uvm_regs r = *lp->regs;
	struct fork_ask *ask = (void *)lp->buf;
	struct process *child;
	enum lm_err err;
	uint32_t tid;

	r.rax = 0;
	if (stack)
		r.rsp = stack;
	if (flags & CLONE_SETTLS)
		r.fs_base = tls;
	if (flags & CLONE_THREAD)
		return new_thread(lp, &r, flags, ptid, ctid);
	if ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
		return LINUX_ERR(LINUX_ENOSYS); /* a process sharing memory apart */
	*ask = (struct fork_ask){flags, ctid};
	if ((err = untrusted_fork(lp->thread, &r, &child)))
		return err == LM_ERR_FULL ? LINUX_ERR(LINUX_EAGAIN) : linux_errno(err);
	tid = (uint32_t)child->id;
	if (flags & CLONE_PARENT_SETTID)
		linux_copy_out(lp, ptid, &tid, sizeof tid);
	return (long)child->id;
}

LINUX_CALL(fork)
{
	return do_fork(lp, 17, 0, 0, 0, 0);
}

/* vfork as fork: the child has a copy, not the parent's memory, which a
 * program that keeps to vfork's rules (exec or _exit at once) cannot tell. */
LINUX_CALL(vfork)
{
	return do_fork(lp, 17, 0, 0, 0, 0);
}

/* clone(flags, stack, parent_tid, child_tid, tls) */
LINUX_CALL(clone)
{
	return do_fork(lp, a[0], a[1], a[2], a[3], a[4]);
}

/* --- exec */

struct exec_args {
	char *argv[EXEC_ARGS + 1], *envp[EXEC_ARGS + 1];
	char strings[EXEC_PAGES * 4096 - 2 * (EXEC_ARGS + 1) * sizeof(char *)];
};
_Static_assert(sizeof(struct exec_args) == EXEC_PAGES * 4096, "its pages");

/* The NULL-ended array of strings at uvec into out (max entries) and their
 * bytes at *used on in x->strings: the count, or a negated errno. */
static long copy_strings(struct linux_proc *lp, struct exec_args *x, uint64_t uvec, char **out,
			 size_t *used)
{
	long n = 0;

	if (!uvec)
		return 0; /* Linux takes a NULL array as empty */
	for (;;) {
		uint64_t p;
		long len;

		if (linux_copy_in(lp, &p, uvec + 8 * (uint64_t)n, 8))
			return LINUX_ERR(LINUX_EFAULT);
		if (!p)
			break;
		if (n == EXEC_ARGS)
			return LINUX_ERR(LINUX_E2BIG);
		len = linux_copy_string(lp, x->strings + *used, p, sizeof x->strings - *used);
		if (len == LINUX_ERR(LINUX_ENAMETOOLONG))
			return LINUX_ERR(LINUX_E2BIG);
		if (len < 0)
			return len;
		out[n++] = x->strings + *used;
		*used += (size_t)len + 1;
	}
	out[n] = NULL;
	return n;
}

static long exec_with(struct linux_proc *lp, struct exec_args *x, const uint64_t a[6])
{
	size_t used = 0;
	long argc, envc, n = linux_copy_string(lp, (char *)lp->buf, a[0], LINUX_PATH_MAX);
	struct linux_image img;
	enum lm_err err;

	if (n < 0)
		return n;
	if (!n)
		return LINUX_ERR(LINUX_ENOENT);
	if ((err = linux_path_resolve(lp->cwd, (char *)lp->buf, lp->path, sizeof lp->path)))
		return LINUX_ERR(err == LM_ERR_NOENT ? LINUX_ENOENT : LINUX_ENAMETOOLONG);
	if ((argc = copy_strings(lp, x, a[1], x->argv, &used)) < 0)
		return argc;
	if ((envc = copy_strings(lp, x, a[2], x->envp, &used)) < 0)
		return envc;
	if ((err = linux_image(lp->path, x->argv, (int)argc, x->envp, (int)envc, &img)))
		return err == LM_ERR_RANGE ? LINUX_ERR(LINUX_E2BIG) : linux_errno(err);
	/* The new image is ready: from here nothing fails. */
	for (int fd = 0; fd < LINUX_FDS; fd++)
		if (lp->fd[fd] && lp->fd_cloexec[fd]) {
			linux_file_put(lp->fd[fd]);
			lp->fd[fd] = NULL;
			lp->fd_cloexec[fd] = 0;
		}
	memcpy(lp->exe, lp->path, sizeof lp->exe);
	linux_proc_name(lp);
	lp->space = img.space;
	lp->brk_start = lp->brk = lp->brk_mapped = img.brk;
	lp->mmap_next = LINUX_MMAP_TOP;
	lp->clear_tid = 0;
	linux_signal_exec(lp, lp->thread->p);
	untrusted_exec(lp->thread, img.space, &img.regs, lp->name);
	return 0; /* rax of the new image's first instruction */
}

/* execve(path, argv, envp) */
LINUX_CALL(execve)
{
	uint64_t phys = pmm_alloc_run(EXEC_PAGES, 0);
	long ret;

	if (!phys)
		return LINUX_ERR(LINUX_ENOMEM);
	ret = exec_with(lp, phys_to_virt(phys), a);
	pmm_free_run(phys, EXEC_PAGES);
	return ret;
}

/* --- wait4, kill */

/* The status word wait4 reports for a process's end (kernel/process.h). */
uint32_t linux_wait_status(uint32_t status)
{
	if (status < PROCESS_FAULTED)
		return (status & 0xff) << 8;
	if (status >= PROCESS_SIGNALED)
		return (status - PROCESS_SIGNALED) & 0x7f;
	if (status == PROCESS_KILLED)
		return LINUX_SIGKILL;
	switch (status - PROCESS_FAULTED) {
	case 0: case 16: case 19: return 8; /* divide, x87, SIMD: SIGFPE */
	case 6: return 4;                   /* invalid opcode: SIGILL */
	case 3: return 5;                   /* breakpoint: SIGTRAP */
	default: return LINUX_SIGSEGV;
	}
}

/* wait4(pid, status pointer, options, rusage pointer): pid -1 (or a
 * process group: there are none apart) for any child. */
LINUX_CALL(wait4)
{
	int32_t pid = (int32_t)a[0]; /* a pid_t: the upper half is not the caller's */
	uint64_t id, zeros[18] = {0};
	struct uthread *t = lp->thread;
	struct uvm_regs *r = lp->regs;
	uint32_t status, word;
	enum lm_err err;

	if (a[2] & ~(uint64_t)(WNOHANG | 2 | 8 | 0x40000000 | 0x80000000 | 0x20000000))
		return LINUX_ERR(LINUX_EINVAL); /* WUNTRACED, WCONTINUED, __W*: accepted */
	/* The process's other threads make calls meanwhile. */
	if (!(a[2] & WNOHANG))
		linux_call_leave(lp);
	err = untrusted_wait_child(t, pid > 0 ? (uint64_t)pid : 0, a[2] & WNOHANG, &id, &status);
	if (!(a[2] & WNOHANG))
		linux_call_retake(lp, t, r);
	if (err == LM_ERR_BUSY)
		return 0;
	if (err == LM_ERR_NOENT)
		return LINUX_ERR(LINUX_ECHILD);
	if (err)
		return LINUX_ERR(LINUX_ERESTARTSYS); /* a signal, or the process's end */
	word = linux_wait_status(status);
	if (a[1] && linux_copy_out(lp, a[1], &word, sizeof word))
		return LINUX_ERR(LINUX_EFAULT);
	if (a[3] && linux_copy_out(lp, a[3], zeros, sizeof zeros))
		return LINUX_ERR(LINUX_EFAULT);
	return (long)id;
}

/* The parent's id; 1 (init's place) for an orphan, as Linux reparents
 * it there, and for a process the kernel started. */
LINUX_CALL(getppid)
{
	uint64_t parent = untrusted_parent(lp->thread->p);

	return (long)(parent ? parent : 1);
}
