/*
 * Untrusted processes: code in ring 3, in an address space of its own
 * (kernel/aspace.c), on harts set apart for untrusted work. See
 * kernel/process.c and docs/isolation.md.
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "arch/uvm.h"
#include "kernel/gate.h"

#define PROCESS_MAX 64
#define PROCESS_NAME_MAX 32
#define UTHREAD_MAX 128 /* threads of all processes together */
/* Every process's stack: PROCESS_STACK_PAGES pages mapped below this. */
#define PROCESS_STACK_TOP 0x00007fffffff0000ull
#define PROCESS_STACK_PAGES 4

/* How a process ended: its exit code (0 .. 255), or one of these plus the
 * exception's vector, or killed. */
#define PROCESS_FAULTED 0x100
#define PROCESS_KILLED 0x200
#define PROCESS_SIGNALED 0x300 /* plus a personality's signal number (Linux's kill) */

/*
 * Give hart to untrusted processes (on) or back to the main scheduler
 * (off). LM_ERR_NOENT past the last hart; LM_ERR_BUSY for the last hart of
 * the main scheduler, a dedicated hart, one with trusted threads ready or
 * running there (set apart idle harts), or one with untrusted processes on
 * it still.
 */
enum lm_err untrusted_set_apart(uint32_t hart, bool on);

/*
 * Start an untrusted process: the ELF image (size bytes, copied) in a new
 * space that may hold quota pages, a 16 KiB stack, on a set-apart hart
 * (round robin), granted the door routines in grants (kernel/gate.h). *id
 * names it for wait and kill. LM_ERR_BUSY if no hart is set apart,
 * LM_ERR_FULL at PROCESS_MAX processes, LM_ERR_INVAL for more than
 * GATE_GRANTS_MAX grants, LM_ERR_UNSUPPORTED for a grant of a door no gate
 * knows, the space's errors (LM_ERR_FORMAT ... for an image the loader
 * refuses).
 */
enum lm_err untrusted_start(const char *name, const void *image, uint64_t size, uint64_t quota,
			    const struct gate_grant *grants, uint32_t ngrants, uint64_t *id);

/* The same with code bytes at 0x400000 instead of an ELF image (tests). */
enum lm_err untrusted_start_code(const char *name, const void *code, uint32_t len,
				 const struct gate_grant *grants, uint32_t ngrants, uint64_t *id);

/* Wait for the process to end; its status (above) in *status, and its
 * slot is free again. LM_ERR_NOENT for no such process. */
enum lm_err untrusted_wait(uint64_t id, uint32_t *status);

/* End the process (within a time slice: at its next interrupt). */
enum lm_err untrusted_kill(uint64_t id);

/* The hart the process's first thread runs on, and that thread's id (0
 * until it runs). */
enum lm_err untrusted_where(uint64_t id, uint32_t *hart, uint64_t *thread_id);

/*
 * Personalities: who answers a process's system calls. A process started
 * with none has the gate's (rax 0 exits, anything else is a door call,
 * kernel/gate.c). A personality (the Linux one, kernel/linux/) answers
 * every syscall itself, with the calls below for what only the process
 * table can do: threads, fork, exec, waiting for children.
 *
 * Processes and their threads are visible here (as xv6's struct proc is)
 * so that a personality can keep its state beside them; the fields marked
 * "lock" are table_lock's, read them through the calls below.
 */
struct process;
struct uthread;

/* What a thread does after its syscall was answered. */
enum process_next {
	PROCESS_NEXT_RUN,         /* back to ring 3 */
	PROCESS_NEXT_THREAD_EXIT, /* this thread ends; the process with its last */
	PROCESS_NEXT_EXIT,        /* the whole process ends (exit_group) */
};

struct process_personality {
	/* Answer the syscall of t (t->regs; the result in t->regs.rax), on
	 * t's own hart, in its kernel thread; it may block (only t waits).
	 * *status is the exit status for PROCESS_NEXT_THREAD_EXIT and
	 * PROCESS_NEXT_EXIT. */
	enum process_next (*syscall)(struct uthread *t, uint32_t *status);
	/* child was forked from parent (its space a copy, nothing run yet):
	 * give it its own copy of the personality's state (child->pers), or
	 * an error (the fork fails). */
	enum lm_err (*forked)(struct process *parent, struct process *child);
	/* t ends (any reason), before its slot is free: e.g. Linux's
	 * clear_child_tid and futex wake. The space may be gone already. */
	void (*thread_ended)(struct uthread *t);
	/* t came back from ring 3 at an interrupt (not a call) because a
	 * signal it does not block is pending (untrusted_signalled): deliver
	 * it; as syscall's result. NULL: signals wait for its next call. */
	enum process_next (*signalled)(struct uthread *t, uint32_t *status);
	/* p's last thread ended: release p->pers. */
	void (*ended)(struct process *p);
	/* The signal a process's parent is sent when it ends (Linux's
	 * SIGCHLD), 0 for none; its info's code is PROCESS_SI_CHILD. */
	uint32_t child_signal;
	/* The signals a new process of it drops (sig_ignored at its start). */
	const uint64_t *ignored_at_start;
};

/*
 * Signals (a personality's: numbers 1 .. 64, Linux's). Pending ones are
 * bits (1 << (signal - 1)) in a process's or a thread's sig_pending; each
 * signal pending on a process keeps the info of its last sending. Only
 * the personality gives them meaning: process.c keeps them, wakes the
 * threads a signal concerns, and interrupts their waits (wait_child).
 */
#define PROCESS_SIGNALS 64
#define PROCESS_SI_CHILD 0x7fff /* sig_info code: a child ended, status raw */

struct process_siginfo {
	int32_t code;   /* the personality's (Linux's si_code), or PROCESS_SI_CHILD */
	uint32_t pid;   /* the sender, or the child */
	uint32_t status; /* a child's status (above) */
};

struct process {
	bool used, ended, dying;  /* lock */
	bool reap_self;           /* lock: no one will wait: free at its end */
	uint64_t id, parent;      /* parent: 0 for a process the kernel started */
	char name[PROCESS_NAME_MAX];
	aspace_space space;       /* lock to change; its threads read it */
	uint64_t quota;           /* of its space, and of a fork's copy */
	uint32_t hart, status, refusals, threads; /* status, threads: lock */
	uint32_t image;           /* lock: advanced by each exec */
	uint64_t thread_id;       /* its first thread's kernel id, once it runs */
	struct gate gate;         /* the doors it was granted */
	struct thread *waiter;    /* lock: signalled when it ends */
	const struct process_personality *ops; /* NULL: the gate's */
	void *pers;               /* the personality's state */
	uint64_t pgid;            /* lock: its process group (its id, or its parent's) */
	uint64_t sig_pending;     /* atomic (set under lock): signals sent to it */
	uint64_t sig_ignored;     /* atomic: signals dropped when sent (the personality's) */
	struct process_siginfo sig_info[PROCESS_SIGNALS]; /* lock */
};

struct uthread {
	bool used;                /* lock */
	struct process *p;
	uint64_t tid;             /* unique; the first thread's is p->id */
	uint32_t hart, image;     /* image: p->image it runs; another: it ends */
	struct thread *thread;    /* lock: its kernel side, once it runs */
	struct uvm_regs regs;     /* its ring 3 registers */
	uint64_t fpu_page;        /* its vector registers, while not in them */
	void *pers;               /* the personality's (e.g. clear_child_tid) */
	uint64_t sig_pending;     /* atomic (set under lock): signals sent to this thread */
	uint64_t sig_blocked;     /* its own: signals it does not take now */
};

/*
 * Start a process in space (made and loaded by the caller: the process owns
 * it from now on, also on an error) with one thread at regs, answered by
 * ops (with pers as p->pers; NULL: the gate's, no grants). LM_ERR_BUSY if
 * no hart is set apart, LM_ERR_FULL at PROCESS_MAX processes or
 * UTHREAD_MAX threads, LM_ERR_NOMEM.
 */
enum lm_err untrusted_start_space(const char *name, aspace_space space, uint64_t quota,
				  const struct uvm_regs *regs,
				  const struct process_personality *ops, void *pers, uint64_t *id);

/* untrusted_start_code answered by a personality (tests). */
enum lm_err untrusted_start_code_as(const char *name, const void *code, uint32_t len,
				    const struct process_personality *ops, void *pers,
				    uint64_t *id);

/*
 * A new thread in t's process, with regs (FS base included) and t's vector
 * registers, pers as its own, on a set-apart hart (round robin): *out names
 * it (its tid), not running yet, so that the caller can tell the program
 * its tid first; untrusted_thread_start starts it. LM_ERR_FULL at
 * UTHREAD_MAX threads, LM_ERR_NOMEM, LM_ERR_BUSY if the process is ending.
 */
enum lm_err untrusted_thread_new(struct uthread *t, const struct uvm_regs *regs, void *pers,
				 struct uthread **out);

/* Start a thread untrusted_thread_new made; on an error (LM_ERR_NOMEM) it
 * is gone. */
enum lm_err untrusted_thread_start(struct uthread *n);

/*
 * Fork t's process: a child with a copy of its space (aspace_copy, the same
 * quota), its grants and personality (ops->forked), and one thread with
 * regs and t's vector registers, whose parent is t's process. *child names
 * it; its id is child->id. LM_ERR_FULL at PROCESS_MAX processes or
 * UTHREAD_MAX threads, LM_ERR_NOMEM if the copy does not fit; nothing is
 * left of the child on an error.
 */
enum lm_err untrusted_fork(struct uthread *t, const struct uvm_regs *regs,
			   struct process **child);

/*
 * Replace t's process's image (execve): fresh (made and loaded by the
 * caller, who keeps the old image running if that fails) becomes the
 * process's space and the old one is destroyed; every other thread ends
 * (the Linux rule); t goes on at regs, with fresh vector registers, named
 * name. Never fails.
 */
void untrusted_exec(struct uthread *t, aspace_space fresh, const struct uvm_regs *regs,
		    const char *name);

/*
 * Wait for a child of t's process to end: the one with id pid, or any if
 * pid is 0. Its id and status in *id and *status, and its slot is free
 * (it is reaped). LM_ERR_NOENT if there is no such child (Linux's ECHILD),
 * LM_ERR_BUSY if none has ended and nohang, LM_ERR_CLOSED if t's process
 * is ending (or t's image was replaced) meanwhile.
 */
enum lm_err untrusted_wait_child(struct uthread *t, uint64_t pid, bool nohang, uint64_t *id,
				 uint32_t *status);

/* Whether t should stop what it waits for and end: its process is ending,
 * or exec replaced the image t ran. A personality's blocking calls check
 * it after each wake-up (THREAD_EV_SERVICE: the ending signals them). */
bool untrusted_stopping(const struct uthread *t);

/* End t's process with status (first one wins), e.g. for a Linux signal
 * that kills. Its threads end within a slice, or at their next wake-up. */
void untrusted_end(struct process *p, uint32_t status);

/* The thread of an untrusted process the caller is the kernel side of, or
 * NULL (a trusted thread). */
struct uthread *untrusted_current(void);

/*
 * End process id with status, as untrusted_end, if it has the personality
 * ops (a personality's kill reaches only its own processes; SIGKILL).
 * LM_ERR_NOENT if there is no such process (or it has another personality
 * or has ended).
 */
enum lm_err untrusted_signal(uint64_t id, const struct process_personality *ops,
			     uint32_t status);

/*
 * Send signal sig (1 .. 64; 0 only checks) with info to the processes of
 * personality ops that target names: one process (target > 0) or every one
 * of process group -target (target < 0). A process that ignores sig
 * (sig_ignored) drops it; else it is pending on the process and its
 * threads are woken (a wait of theirs gives up: untrusted_signalled).
 * A process that ended and was not waited for yet is found, and nothing
 * happens to it. LM_ERR_NOENT if no such process.
 */
enum lm_err untrusted_post(int64_t target, const struct process_personality *ops, uint32_t sig,
			   const struct process_siginfo *info);

/* The same for thread tid of process pid only (Linux's tgkill): pending
 * on that thread, which is woken. LM_ERR_NOENT if there is none. */
enum lm_err untrusted_post_thread(uint64_t pid, uint64_t tid,
				  const struct process_personality *ops, uint32_t sig,
				  const struct process_siginfo *info);

/* The signals pending for t (its own and its process's) it does not
 * block: a wait of t's gives up when this is not 0. */
uint64_t untrusted_signalled(const struct uthread *t);

/*
 * Take the lowest pending signal of t's that it does not block (its own
 * first): its number, with its info in *info, and it is pending no more;
 * 0 if none.
 */
uint32_t untrusted_take_signal(struct uthread *t, struct process_siginfo *info);

/* p's process group, and a change of it (Linux's setpgid). */
uint64_t untrusted_pgid(const struct process *p);
void untrusted_set_pgid(struct process *p, uint64_t pgid);

/* How many threads of untrusted processes exist (tests: none left). */
unsigned untrusted_thread_count(void);

/* The id of p's parent, 0 if it has none any more (Linux's getppid). */
uint64_t untrusted_parent(const struct process *p);

/* Publish the Process door (sdk/idl/process.idl) and set apart the harts
 * the boot option `untrusted` names. */
void untrusted_boot(void);

#endif
