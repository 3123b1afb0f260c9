/*
 * The Linux personality: unmodified static x86-64 Linux programs as
 * untrusted processes (docs/linux.md). A Linux process is an untrusted
 * process (kernel/process.c) whose syscalls come here (rax: Linux's call
 * number) instead of to the gate. Everything here runs in the process's
 * own kernel-side thread, on its set-apart hart, one call at a time.
 *
 * The pieces, by file:
 *   syscall.c  the call table and dispatch; unknown calls (ENOSYS, logged)
 *   proc.c     struct linux_proc: its table, the call lock, the
 *              personality's hooks for kernel/process.c
 *   user.c     the program's memory (copies in and out, checked through
 *              its space) and errno values for the kernel's errors
 *   load.c     loading an executable and its initial stack; linux_start;
 *              the Linux door (sdk/idl/linux.idl)
 *   fd.c       open files (struct linux_file) and the descriptor table;
 *              the calls on descriptors (read, write, lseek, dup, ...)
 *   vfs.c      path names onto the file systems: the boot archive (the
 *              read-only root, archfs.c), /tmp (tmpfs.c), /dev (dev.c),
 *              /proc/self/exe; open, stat, readlink, unlink, ...
 *   mem.c      brk, mmap, munmap, mprotect
 *   misc.c     identity, time, uname, random, limits, signals, TLS
 *   socket.c   IPv4 sockets on the Net door, called from a gate thread
 *   poll.c     poll, ppoll, select and pselect6 over any descriptors
 *   alarm.c    alarm: SIGALRM from one kernel thread, the alarm clock
 *   words.c, elfplan.c, stack.c, path.c: the portable, pure parts.
 *
 * Extending: a call is one function `long sys_x(struct linux_proc *, const
 * uint64_t a[6])` returning its result or a negated LINUX_E* value, listed
 * in syscall.c's table (and named in abi.h's LINUX_CALLS). A kind of file
 * is a struct linux_file_ops; a file is created with linux_file_new and
 * put in the table with linux_fd_install. Process state other calls need
 * (fork's copy, a parent, children) goes in struct linux_proc.
 */
#ifndef KERNEL_LINUX_LINUX_H
#define KERNEL_LINUX_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lemmings/aspace.h>
#include <lemmings/err.h>

#include "arch/spinlock.h"
#include "arch/uvm.h"
#include "kernel/process.h"
#include "kernel/linux/abi.h"
#include "kernel/linux/path.h"

#define LINUX_FDS 64          /* descriptors per process */
#define LINUX_BUF 4096        /* the bounce buffer for copies */
#define LINUX_UNKNOWN_HIGH 8  /* unknown call numbers past the table logged */
#define LINUX_QUOTA 16384     /* pages a process may hold (64 MiB) */
#define LINUX_STACK_PAGES 64  /* 256 KiB of stack, the process's 16 KiB among them */

struct linux_file;
struct linux_proc;

/*
 * What a kind of file does. Buffers are the kernel's (the bounce buffer):
 * fd.c copies to and from the program. read and write take the offset to
 * use and advance (the file's own, or pread's); a stream ignores it. A
 * read that waits (the console) gives up with -EINTR once the process is
 * killed (linux_proc_gone), so that its thread gets back to find it so.
 * Results are byte counts or negated errno values. Any op may be NULL:
 * read, write -> EBADF/EINVAL; getdents -> ENOTDIR; ioctl -> ENOTTY;
 * release -> nothing to free. stat is required.
 */
struct linux_file_ops {
	long (*read)(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		     uint64_t *off);
	long (*write)(struct linux_file *f, const void *buf, uint64_t len, uint64_t *off);
	long (*stat)(struct linux_file *f, struct linux_stat *st);
	/* Records (struct linux_dirent64) from entry *pos on into buf; the
	 * bytes written, 0 at the end, -EINVAL if not even one fits. */
	long (*getdents)(struct linux_file *f, void *buf, uint64_t len, uint64_t *pos);
	long (*ioctl)(struct linux_file *f, struct linux_proc *lp, uint64_t req, uint64_t arg);
	void (*release)(struct linux_file *f);
	/* Which of events (LINUX_POLLIN, LINUX_POLLOUT) hold now, with
	 * LINUX_POLLERR and LINUX_POLLHUP; a kind that can wait (a socket) may
	 * wait up to wait_ns (0: not at all) for one. NULL: a file that is
	 * always ready both ways (poll.c). */
	short (*poll)(struct linux_proc *lp, struct linux_file *f, short events, uint64_t wait_ns);
	bool poll_waits; /* poll can wait for readable: the others are asked in turn */
	bool seekable;
};

/*
 * An open file (Linux's open file description): shared by descriptors
 * that dup made (and, later, by forked processes), freed with the last
 * reference. node and data are the kind's own.
 */
struct linux_file {
	bool used;            /* the pool's (fd.c) */
	uint32_t refs;        /* atomic */
	uint32_t flags;       /* LINUX_O_ACCMODE, LINUX_O_APPEND, LINUX_O_NONBLOCK */
	const struct linux_file_ops *ops;
	uint64_t off;         /* the file offset, or a directory's next entry */
	uint64_t node;
	void *data;
};

struct uthread;
struct linux_call_waiter;

/*
 * A Linux process's state. Its threads' calls take turns: each call runs
 * holding the process's call lock (linux_call_enter, linux_call_leave:
 * a sleeping lock), so the state, the bounce buffer and the path are one
 * call's at a time; calls that wait for another thread or for time (a
 * futex, wait4, a sleep) let go of it meanwhile. A call waiting on the
 * console or a pipe keeps it (it uses the bounce buffer): the process's
 * other threads' calls wait for it (docs/linux.md).
 */
struct linux_proc {
	bool used;
	struct spinlock call_lock;    /* guards the next two */
	bool call_busy;
	struct linux_call_waiter *call_waiters;
	uint64_t pid, ppid;
	aspace_space space;
	struct uvm_regs *regs;        /* during a call: the caller's registers */
	struct uthread *thread;       /* during a call: the caller */
	uint64_t brk_start, brk, brk_mapped; /* [brk_start, brk_mapped) is mapped */
	uint64_t mmap_next;           /* anonymous maps go below this */
	uint64_t clear_tid;           /* unused: a thread's is its uthread's pers */
	uint32_t umask;
	bool exited, thread_exit;     /* the call ends the process, or only its thread */
	uint32_t status;
	struct linux_file *fd[LINUX_FDS];
	uint8_t fd_cloexec[LINUX_FDS];
	uint64_t unknown_seen[LINUX_NR_COUNT / 64]; /* logged once each */
	uint64_t unknown_high[LINUX_UNKNOWN_HIGH];    /* numbers past those, logged */
	bool unknown_high_full;
	struct linux_sigaction act[LINUX_NSIG]; /* dispositions (signal.c) */
	struct linux_stack_t altstack;  /* sigaltstack's, one per process */
	uint64_t suspend_mask;        /* during rt_sigsuspend: the mask to go back to */
	bool suspended;
	char name[32];
	char exe[LINUX_PATH_MAX];     /* /proc/self/exe */
	char cwd[LINUX_PATH_MAX];
	char path[LINUX_PATH_MAX];    /* a path argument, resolved */
	uint8_t buf[LINUX_BUF] __attribute__((aligned(16)));
};

/* The results of calls. */
#define LINUX_ERR(e) (-(long)(e))

/* The errno for an lm_err from the kernel's services. */
long linux_errno(enum lm_err err);

/* Copy between the program's memory and the kernel's: LINUX_ERR(EFAULT)
 * unless every byte is mapped (writable, for copy_out), else 0. */
long linux_copy_in(struct linux_proc *lp, void *dst, uint64_t uaddr, uint64_t len);
long linux_copy_out(struct linux_proc *lp, uint64_t uaddr, const void *src, uint64_t len);
/* Whether the process was killed (its space destroyed): a call that waits
 * checks this and gives up (-EINTR). */
bool linux_proc_gone(struct linux_proc *lp);

/* Take lp's call lock for t (waiting for the thread that holds it): false,
 * without it, if t should stop instead (its process is ending). Give it
 * back; a waiting call may go on. */
bool linux_call_enter(struct linux_proc *lp, struct uthread *t);
void linux_call_leave(struct linux_proc *lp);
/* For a call that let go of the lock to wait: take it again, even if t is
 * stopping (the call then returns, and linux_syscall gives it back), and
 * be t's call again (lp->thread, lp->regs). */
void linux_call_retake(struct linux_proc *lp, struct uthread *t, struct uvm_regs *r);

/* Futexes (futex.c): wake up to n threads waiting at uaddr in space; how
 * many were woken. */
long linux_futex_wake(aspace_space space, uint64_t uaddr, long n);

/* A struct timespec, or a struct timeval, of the program's as nanoseconds:
 * 0, -EFAULT, or -EINVAL for a negative or out-of-range field. */
long linux_timespec_in(struct linux_proc *lp, uint64_t uaddr, uint64_t *ns);
long linux_timeval_in(struct linux_proc *lp, uint64_t uaddr, uint64_t *ns);

/* Whether [uaddr, uaddr + len) is mapped writable: 0 or -EFAULT. */
long linux_check_out(struct linux_proc *lp, uint64_t uaddr, uint64_t len);
/* A NUL-terminated string of the program's into dst (cap bytes): its
 * length, -EFAULT, or -ENAMETOOLONG if it does not fit. */
long linux_copy_string(struct linux_proc *lp, char *dst, uint64_t uaddr, size_t cap);

/* Open files and descriptors (fd.c). */
struct linux_file *linux_file_new(const struct linux_file_ops *ops, uint32_t flags,
				  uint64_t node, void *data);
void linux_file_get(struct linux_file *f);
/* Open files in use in the whole system (for the tests: none leak). */
unsigned linux_files_live(void);
void linux_file_put(struct linux_file *f);
/* The lowest free descriptor at or above min holding f (the reference is
 * the table's now), or -EMFILE (and f is put). */
long linux_fd_install(struct linux_proc *lp, struct linux_file *f, int min, bool cloexec);
/* The file of descriptor fd, or NULL. */
struct linux_file *linux_fd_file(struct linux_proc *lp, long fd);
void linux_fd_close_all(struct linux_proc *lp);

/* The console's file (dev.c), for descriptors 0, 1 and 2. */
struct linux_file *linux_console_open(void);

/*
 * Open the path (resolved into lp->path already) with open's flags (vfs.c):
 * a new file, or NULL with *err a negated errno.
 */
struct linux_file *linux_vfs_open(struct linux_proc *lp, const char *path, uint32_t flags,
				  uint32_t mode, long *err);

/* The archive's file (archfs.c), by path; NULL and *err if none. */
struct linux_file *linux_archfs_open(const char *path, uint32_t flags, long *err);
long linux_archfs_stat(const char *path, bool follow, struct linux_stat *st);
long linux_archfs_readlink(const char *path, char *buf, size_t cap);
/* The bytes of an archive file, following symbolic links: for exec. */
enum lm_err linux_archfs_bytes(const char *path, const uint8_t **data, uint64_t *size);

/* /tmp (tmpfs.c): rest is the path below /tmp ("" for /tmp itself). */
struct linux_file *linux_tmpfs_open(struct linux_proc *lp, const char *rest, uint32_t flags,
				    uint32_t mode, long *err);
/* mknod: a named pipe (fifo) or an empty regular file; 0 or -errno. */
long linux_tmpfs_mknod(const char *rest, bool fifo, uint32_t mode);
/* Node i's stat; an open of node i given back (a named pipe's files). */
void linux_tmpfs_node_stat(uint64_t i, struct linux_stat *st);
void linux_tmpfs_node_put(uint64_t i);

/*
 * A named pipe (pipe.c), held by its /tmp node: the pipe its open files
 * share while one is open (made by the first open, dropped with the last
 * close, bytes and all, as on Linux). pipe.c's fifo_lock guards it.
 */
struct linux_fifo {
	struct pipe *pipe;
	uint32_t files; /* open files on it, opens waiting included */
	uint64_t node;  /* its /tmp node */
};

/*
 * Open the named pipe fi with open's flags (pipe.c): an end of its pipe
 * (O_RDONLY the read end, O_WRONLY the write end, O_RDWR both). Waits for
 * the other end as Linux does, unless O_NONBLOCK (a reader goes on; a
 * writer without a reader: ENXIO). The caller has counted one open of fi's
 * node, which the file keeps; on NULL (*err) the caller gives it back.
 */
struct linux_file *linux_fifo_open(struct linux_proc *lp, struct linux_fifo *fi,
				   uint32_t flags, long *err);
long linux_tmpfs_stat(const char *rest, struct linux_stat *st);
long linux_tmpfs_unlink(const char *rest, bool dir);
long linux_tmpfs_mkdir(const char *rest, uint32_t mode);
/* Set the node's modification time (seconds since 1970). */
long linux_tmpfs_touch(const char *rest, uint64_t mtime);

/* /dev (dev.c): rest is the name below /dev ("" for /dev itself). */
struct linux_file *linux_dev_open(const char *rest, uint32_t flags, long *err);
long linux_dev_stat(const char *rest, struct linux_stat *st);

/* Cancel the alarm of process pid, if it has one (alarm.c): at its end. */
void linux_alarm_cancel(uint64_t pid);

/* Random bytes from the CPU's generator (RDRAND), or, without one, the
 * time stamp counter's jitter mixed. */
void linux_random(void *buf, size_t len);

/* Seconds since 1970 now (the CMOS clock read once, plus the time since). */
uint64_t linux_realtime_ns(void);

/* The calls (syscall.c's table). */
typedef long linux_call_fn(struct linux_proc *lp, const uint64_t a[6]);
#define LINUX_CALL(name) long linux_sys_##name(struct linux_proc *lp, const uint64_t a[6])
#define LINUX_CALL_DECL(n, name) LINUX_CALL(name);
LINUX_CALLS(LINUX_CALL_DECL)

/* Answer the syscall of t (its process's state lp): what the thread does
 * next (kernel/process.h), the exit status in *status if it ends. */
enum process_next linux_syscall(struct linux_proc *lp, struct uthread *t, uint32_t *status);

/* Signals (signal.c). Deliver what is pending for t on its way back from
 * call nr (its result in t->regs.rax: restarted, or -EINTR, if a signal
 * interrupted it); with the call lock held. */
void linux_signal_deliver(struct linux_proc *lp, struct uthread *t, uint64_t nr);
/* Deliver at an interrupt of ring 3 code (the personality's signalled hook). */
enum process_next linux_signal_interrupted(struct uthread *t, uint32_t *status);
/* exec: handlers back to SIG_DFL (ignored ones stay), no alternate stack. */
void linux_signal_exec(struct linux_proc *lp, struct process *p);
/* Send sig to the calling thread's process (SIGPIPE). */
void linux_signal_self(struct uthread *t, uint32_t sig);
/* The signals a new Linux process drops: those whose default is nothing. */
extern const uint64_t linux_signals_ignored_at_start;
/* The status word wait4 reports for a process's end (family.c). */
uint32_t linux_wait_status(uint32_t status);

/* The hooks kernel/process.c calls for a Linux process (family.c). */
extern const struct process_personality linux_personality;

/* A program's image, built in a new space (load.c): its first registers
 * and where its break starts. */
struct linux_image {
	aspace_space space;
	struct uvm_regs regs;
	uint64_t brk;
};

/*
 * Build the executable at path (resolved; in the boot archive) with its
 * arguments and environment into a new space: its segments and the
 * initial stack Linux gives (load.c). Nothing is kept on an error:
 * LM_ERR_NOENT, LM_ERR_FORMAT, LM_ERR_UNSUPPORTED (not a static x86-64
 * executable), LM_ERR_RANGE (arguments too long), LM_ERR_NOMEM.
 */
enum lm_err linux_image(const char *path, char *const *argv, int argc, char *const *envp,
			int envc, struct linux_image *out);

/* Set lp->name from lp->exe's last component (load.c). */
void linux_proc_name(struct linux_proc *lp);

/* Calls answered since boot (for the benchmarks' sanity). */
uint64_t linux_calls_answered(void);

#endif
