/*
 * The Linux system call table and its dispatch (see linux.h).
 *
 * A syscall's number is rax, its arguments rdi, rsi, rdx, r10, r8, r9
 * (entry.S keeps ring 3's r10 for this), its result goes back in rax: a
 * value, or a negated errno. A number the table has no function for gets
 * -ENOSYS and, the first time the process makes it, one line naming it:
 *
 *     linux process 4097 'busybox': unknown system call 332 (statx): ENOSYS
 *
 * The process goes on; programs check for ENOSYS (glibc falls back from
 * statx, rseq, clone3 ...). Nothing here is locked: only the process's own
 * thread uses its state.
 */
#include "kernel/console.h"
#include "kernel/linux/linux.h"

static const char *const names[LINUX_NR_COUNT] = {
#define LINUX_NAME(n, name) [n] = #name,
	LINUX_CALLS(LINUX_NAME)
#undef LINUX_NAME
};

#define C(name) [LINUX_NR_##name] = linux_sys_##name
static linux_call_fn *const table[LINUX_NR_COUNT] = {
	/* descriptors (fd.c) */
	C(read), C(write), C(readv), C(writev), C(pread64), C(pwrite64), C(close), C(lseek),
	C(fstat), C(getdents64), C(fcntl), C(dup), C(dup2), C(dup3), C(ioctl), C(sendfile),
	/* paths (vfs.c) */
	C(open), C(openat), C(stat), C(lstat), C(newfstatat), C(access), C(faccessat),
	C(faccessat2), C(readlink), C(readlinkat), C(getcwd), C(chdir), C(unlink),
	C(unlinkat), C(mkdir), C(mkdirat), C(rmdir), C(utimensat), C(mknod), C(mknodat),
	/* memory (mem.c) */
	C(brk), C(mmap), C(munmap), C(mprotect), C(madvise),
	/* the rest (misc.c) */
	C(exit), C(exit_group), C(arch_prctl), C(set_tid_address), C(set_robust_list),
	C(prctl), C(prlimit64), C(getrlimit), C(getrandom), C(uname), C(clock_gettime),
	C(clock_getres), C(gettimeofday), C(time), C(nanosleep), C(clock_nanosleep),
	C(getpid), C(gettid), C(getuid), C(geteuid), C(getgid), C(getegid),
	C(getpgrp), C(getpgid), C(setpgid), C(getresuid), C(getresgid), C(getgroups),
	/* signals (signal.c) */
	C(rt_sigaction), C(rt_sigprocmask), C(rt_sigreturn), C(sigaltstack), C(rt_sigpending),
	C(rt_sigsuspend), C(pause), C(kill), C(tgkill),
	C(sched_getaffinity), C(sched_yield), C(umask), C(sysinfo), C(times), C(fsync),
	C(fadvise64), C(alarm),
	/* processes (family.c), pipes (pipe.c), futexes (futex.c) */
	C(fork), C(vfork), C(clone), C(execve), C(wait4), C(getppid),
	C(futex),
	C(pipe), C(pipe2),
	/* sockets (socket.c), poll and select (poll.c) */
	C(socket), C(socketpair), C(bind), C(listen), C(accept), C(accept4), C(connect),
	C(sendto), C(recvfrom), C(sendmsg), C(recvmsg), C(shutdown), C(getsockname),
	C(getpeername), C(setsockopt), C(getsockopt), C(poll), C(ppoll), C(select), C(pselect6),
};
#undef C

static uint64_t answered;

uint64_t linux_calls_answered(void)
{
	return __atomic_load_n(&answered, __ATOMIC_RELAXED);
}

/* Once per number per process: the line saying the call is not served.
 * Numbers past the table are remembered in a few slots; once those are
 * full, they are not logged any more (said once). */
static void log_unknown(struct linux_proc *lp, uint64_t nr)
{
	if (nr < LINUX_NR_COUNT) {
		if (lp->unknown_seen[nr / 64] >> (nr % 64) & 1)
			return;
		lp->unknown_seen[nr / 64] |= 1ull << (nr % 64);
	} else {
		uint32_t i = 0;

		while (i < LINUX_UNKNOWN_HIGH && lp->unknown_high[i] && lp->unknown_high[i] != nr)
			i++;
		if (i < LINUX_UNKNOWN_HIGH && lp->unknown_high[i] == nr)
			return;
		if (i == LINUX_UNKNOWN_HIGH) {
			if (!lp->unknown_high_full)
				kprintf("linux process %llu '%s': more unknown system calls, not logged\n",
					(unsigned long long)lp->pid, lp->name);
			lp->unknown_high_full = true;
			return;
		}
		lp->unknown_high[i] = nr;
	}
	kprintf("linux process %llu '%s': unknown system call %llu (%s): ENOSYS\n",
		(unsigned long long)lp->pid, lp->name, (unsigned long long)nr,
		nr < LINUX_NR_COUNT && names[nr] ? names[nr] : "no name known");
}

enum process_next linux_syscall(struct linux_proc *lp, struct uthread *t, uint32_t *status)
{
	struct uvm_regs *r = &t->regs;
	uint64_t nr = r->rax;
	const uint64_t a[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	linux_call_fn *fn = nr < LINUX_NR_COUNT ? table[nr] : NULL;
	long ret;

	if (!linux_call_enter(lp, t))
		return PROCESS_NEXT_RUN; /* the process is ending: the thread sees it */
	lp->regs = r;
	lp->thread = t;
	if (fn) {
		ret = fn(lp, a);
	} else {
		log_unknown(lp, nr);
		ret = LINUX_ERR(LINUX_ENOSYS);
	}
	__atomic_fetch_add(&answered, 1, __ATOMIC_RELAXED);
	lp->regs = NULL;
	lp->thread = NULL;
	if (lp->exited) {
		enum process_next next = lp->thread_exit ? PROCESS_NEXT_THREAD_EXIT
							 : PROCESS_NEXT_EXIT;

		*status = lp->status;
		lp->exited = lp->thread_exit = false; /* the other threads go on */
		linux_call_leave(lp);
		return next;
	}
	r->rax = (uint64_t)ret;
	if (!untrusted_stopping(t))
		linux_signal_deliver(lp, t, nr);
	lp->suspended = false; /* rt_sigsuspend's mask is this call's only */
	linux_call_leave(lp);
	return PROCESS_NEXT_RUN;
}
