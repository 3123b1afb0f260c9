/*
 * Linux signals (docs/linux.md, "Signals"): dispositions, masks, sending,
 * and delivery to handlers with Linux's x86-64 frame.
 *
 * Owns: a process's dispositions and alternate stack (struct linux_proc's
 * act, altstack; copied at fork, reset at exec), each thread's blocked mask
 * (struct uthread's sig_blocked: only the thread itself changes it), and
 * the frames it pushes. kernel/process.c keeps what is pending (on the
 * process, or one thread) with each signal's info, drops at the sending
 * those the process ignores (sig_ignored, kept here in step with the
 * dispositions), and wakes the threads a signal concerns; a wait of theirs
 * then gives up (untrusted_signalled) with LINUX_ERESTARTSYS or EINTR.
 *
 * Delivery: on the way back to ring 3 after each call (linux_syscall,
 * with the call lock held), linux_signal_deliver takes the lowest pending
 * signal the thread does not block: ignored, it is dropped; with the
 * default action, it ends the process (status PROCESS_SIGNALED plus it,
 * which wait4 reports as Linux does); with a handler, the thread's
 * registers, mask and FP state (the fxsave image) go in a frame on its
 * stack (or its alternate stack, SA_ONSTACK) and it resumes in the
 * handler: rdi the signal, rsi the siginfo, rdx the ucontext, the
 * restorer as return address. An interrupted call is restarted (rip back
 * over the syscall, rax its number) when no handler runs, or the handler
 * has SA_RESTART and the call allows it; else it returns -EINTR.
 * rt_sigreturn reads the frame back and checks it (rip, rsp canonical;
 * MXCSR's reserved bits clear): a bad one ends the process by SIGSEGV,
 * with one line. One signal is delivered per return; the next at the
 * handler's rt_sigreturn.
 *
 * A thread in ring 3 that makes no calls comes back at its next interrupt
 * (at most a time slice later: aspace_run_until's stop) and takes its
 * signals there (linux_signal_interrupted, the personality's signalled
 * hook). Stop and continue (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT)
 * are ignored: there is no job control.
 *
 * Locking: the dispositions, the alternate stack and rt_sigsuspend's
 * saved mask are used only inside a call or a delivery, under the
 * process's call lock (linux.h); the pending sets are process.c's.
 */
#include "arch/fpu.h"
#include "arch/vm.h"
#include "core/thread.h"
#include "kernel/console.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/sigframe.h"
#include "kernel/process.h"
#include "lib/string.h"

#define BIT(sig) (1ull << ((sig) - 1))
#define USER_CS 0x33 /* Linux's selectors, as a frame shows them */
#define USER_SS 0x2b

/* Signals whose default action is to do nothing (stop and continue too:
 * there is no job control). */
#define DEFAULT_IGNORED                                                                       \
	(BIT(LINUX_SIGCHLD) | BIT(LINUX_SIGCONT) | BIT(LINUX_SIGURG) | BIT(LINUX_SIGWINCH) |  \
	 BIT(LINUX_SIGSTOP) | BIT(LINUX_SIGTSTP) | BIT(LINUX_SIGTTIN) | BIT(LINUX_SIGTTOU))

const uint64_t linux_signals_ignored_at_start = DEFAULT_IGNORED;

/* The signals the process drops when sent, from its dispositions. */
static void update_ignored(struct linux_proc *lp, struct process *p)
{
	uint64_t ign = 0;

	for (uint32_t s = 1; s <= LINUX_NSIG; s++) {
		uint64_t h = lp->act[s - 1].handler;

		if (h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && (DEFAULT_IGNORED & BIT(s))))
			ign |= BIT(s);
	}
	__atomic_store_n(&p->sig_ignored, ign, __ATOMIC_RELEASE);
}

void linux_signal_exec(struct linux_proc *lp, struct process *p)
{
	for (int s = 0; s < LINUX_NSIG; s++)
		if (lp->act[s].handler != LINUX_SIG_IGN)
			lp->act[s] = (struct linux_sigaction){0};
	lp->altstack = (struct linux_stack_t){.flags = LINUX_SS_DISABLE};
	update_ignored(lp, p);
}

/* --- the frame */

static void to_sigcontext(const struct uvm_regs *r, struct linux_sigcontext *sc)
{
	*sc = (struct linux_sigcontext){
		.r8 = r->r8, .r9 = r->r9, .r10 = r->r10, .r11 = r->r11, .r12 = r->r12,
		.r13 = r->r13, .r14 = r->r14, .r15 = r->r15, .rdi = r->rdi, .rsi = r->rsi,
		.rbp = r->rbp, .rbx = r->rbx, .rdx = r->rdx, .rax = r->rax, .rcx = r->rcx,
		.rsp = r->rsp, .rip = r->rip, .eflags = r->rflags, .cs = USER_CS, .ss = USER_SS,
	};
}

static void from_sigcontext(const struct linux_sigcontext *sc, struct uvm_regs *r)
{
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->rflags = (r->rflags & ~LINUX_RFLAGS_USER) | (sc->eflags & LINUX_RFLAGS_USER);
}

static bool on_altstack(const struct linux_proc *lp, uint64_t sp)
{
	return !(lp->altstack.flags & LINUX_SS_DISABLE) && sp > lp->altstack.sp &&
	       sp - lp->altstack.sp <= lp->altstack.size;
}

static void fill_info(struct linux_siginfo *si, uint32_t sig, const struct process_siginfo *in)
{
	*si = (struct linux_siginfo){.signo = (int32_t)sig};
	if (in->code != PROCESS_SI_CHILD) {
		si->code = in->code;
		si->u.kill.pid = in->pid;
		return;
	}
	si->u.chld.pid = in->pid;
	if (in->status < PROCESS_FAULTED) {
		si->code = LINUX_CLD_EXITED;
		si->u.chld.status = (int32_t)(in->status & 0xff);
	} else {
		si->code = LINUX_CLD_KILLED;
		si->u.chld.status = (int32_t)(linux_wait_status(in->status) & 0x7f);
	}
}

/* End the process by SIGSEGV for a frame it cannot take or give back. */
static void bad_frame(struct linux_proc *lp, struct uthread *t, const char *what, uint64_t at)
{
	kprintf("linux process %llu '%s': %s at 0x%llx: killed by SIGSEGV\n",
		(unsigned long long)lp->pid, lp->name, what, (unsigned long long)at);
	untrusted_end(t->p, PROCESS_SIGNALED + LINUX_SIGSEGV);
}

/* Push the frame for sig's handler act and point t at the handler;
 * false (and the process is ending) if the stack cannot take it. */
static bool push_frame(struct linux_proc *lp, struct uthread *t, uint32_t sig,
		       const struct process_siginfo *in, const struct linux_sigaction *act,
		       uint64_t mask)
{
	struct uvm_regs *r = &t->regs;
	struct linux_rt_sigframe *f = (void *)lp->buf; /* the bounce buffer is free now */
	uint64_t sp = r->rsp, at, fp;

	_Static_assert(sizeof *f <= LINUX_BUF, "the frame fits the bounce buffer");
	if (!(act->flags & LINUX_SA_RESTORER)) {
		bad_frame(lp, t, "signal handler without a restorer", act->handler);
		return false;
	}
	if ((act->flags & LINUX_SA_ONSTACK) && !(lp->altstack.flags & LINUX_SS_DISABLE) &&
	    !on_altstack(lp, sp))
		sp = lp->altstack.sp + lp->altstack.size;
	if (linux_sigframe_place(sp, &at, &fp)) {
		bad_frame(lp, t, "no room for a signal frame", sp);
		return false;
	}
	memset(f, 0, sizeof *f);
	f->pretcode = act->restorer;
	f->uc.stack = lp->altstack;
	if (on_altstack(lp, sp))
		f->uc.stack.flags |= LINUX_SS_ONSTACK;
	to_sigcontext(r, &f->uc.mcontext);
	f->uc.mcontext.oldmask = mask;
	f->uc.mcontext.fpstate = fp;
	f->uc.sigmask = mask;
	fill_info(&f->info, sig, in);
	if (linux_copy_out(lp, fp, phys_to_virt(t->fpu_page), LINUX_FXSTATE_SIZE) ||
	    linux_copy_out(lp, at, f, sizeof *f)) {
		bad_frame(lp, t, "signal frame not writable", at);
		return false;
	}
	r->rsp = at;
	r->rip = act->handler;
	r->rdi = sig;
	r->rsi = at + __builtin_offsetof(struct linux_rt_sigframe, info);
	r->rdx = at + __builtin_offsetof(struct linux_rt_sigframe, uc);
	r->rax = 0;
	r->rflags &= ~(1ull << 10); /* DF clear, as the ABI wants at a call */
	return true;
}

/* rt_sigreturn(): the frame at rsp - 8 (the restorer's ret popped its
 * return address). Everything is checked before anything changes. */
LINUX_CALL(rt_sigreturn)
{
	struct uthread *t = lp->thread;
	struct uvm_regs *r = lp->regs;
	struct linux_rt_sigframe *f = (void *)lp->buf;
	uint8_t *fx = lp->buf + sizeof *f;
	uint64_t at = r->rsp - 8;

	if (linux_copy_in(lp, f, at, sizeof *f)) {
		bad_frame(lp, t, "signal frame not readable", at);
		return 0;
	}
	if (linux_sigcontext_check(&f->uc.mcontext)) {
		bad_frame(lp, t, "bad signal frame", at);
		return 0;
	}
	if (f->uc.mcontext.fpstate) {
		uint8_t *area = phys_to_virt(t->fpu_page);
		uint32_t mxcsr, mask;

		memcpy(&mask, area + 28, sizeof mask); /* MXCSR_MASK, as this CPU saved it */
		if (!mask)
			mask = 0xffbf;
		if (linux_copy_in(lp, fx, f->uc.mcontext.fpstate, LINUX_FXSTATE_SIZE)) {
			bad_frame(lp, t, "FP state not readable", f->uc.mcontext.fpstate);
			return 0;
		}
		memcpy(&mxcsr, fx + 24, sizeof mxcsr);
		if (linux_fxstate_check(fx) || (mxcsr & ~mask)) { /* fxrstor would fault */
			bad_frame(lp, t, "bad FP state in a signal frame", f->uc.mcontext.fpstate);
			return 0;
		}
		memcpy(area, fx, LINUX_FXSTATE_SIZE);
		if (fpu_area_size > LINUX_FXSTATE_SIZE) /* XSAVE: load x87 and SSE from it */
			*(uint64_t *)(area + 512) |= 3;
	}
	from_sigcontext(&f->uc.mcontext, r);
	t->sig_blocked = f->uc.sigmask & ~LINUX_SIG_UNBLOCKABLE;
	return (long)r->rax; /* linux_syscall puts it in rax again */
}

/* --- delivery */

void linux_signal_deliver(struct linux_proc *lp, struct uthread *t, uint64_t nr)
{
	struct uvm_regs *r = &t->regs;
	long ret = (long)r->rax;
	bool restart = nr < LINUX_NR_COUNT && nr != LINUX_NR_rt_sigreturn &&
		       (ret == -LINUX_ERESTARTSYS || ret == -LINUX_ERESTARTNOHAND);
	uint64_t mask = lp->suspended ? lp->suspend_mask : t->sig_blocked;
	struct process_siginfo in;
	uint32_t sig;

	if (!restart && !lp->suspended && !untrusted_signalled(t))
		return; /* most returns: nothing to do, and no lock taken */
	while ((sig = untrusted_take_signal(t, &in))) {
		struct linux_sigaction *act = &lp->act[sig - 1];

		if (act->handler == LINUX_SIG_IGN ||
		    (act->handler == LINUX_SIG_DFL && (DEFAULT_IGNORED & BIT(sig))))
			continue;
		if (act->handler == LINUX_SIG_DFL) {
			untrusted_end(t->p, PROCESS_SIGNALED + sig);
			return;
		}
		if (restart) {
			if (ret == -LINUX_ERESTARTSYS && (act->flags & LINUX_SA_RESTART)) {
				r->rax = nr;
				r->rip -= 2; /* back over the syscall instruction */
			} else {
				r->rax = (uint64_t)LINUX_ERR(LINUX_EINTR);
			}
		}
		lp->suspended = false;
		if (!push_frame(lp, t, sig, &in, act, mask))
			return;
		t->sig_blocked |= act->mask & ~LINUX_SIG_UNBLOCKABLE;
		if (!(act->flags & LINUX_SA_NODEFER))
			t->sig_blocked |= BIT(sig) & ~LINUX_SIG_UNBLOCKABLE;
		if (act->flags & LINUX_SA_RESETHAND) {
			*act = (struct linux_sigaction){0};
			update_ignored(lp, t->p);
		}
		return;
	}
	if (restart) { /* no handler ran: the call goes on as if never stopped */
		r->rax = nr;
		r->rip -= 2;
	}
	if (lp->suspended) {
		t->sig_blocked = lp->suspend_mask;
		lp->suspended = false;
	}
}

/* The personality's signalled hook: t came back from ring 3 code (not a
 * call) for a signal. */
enum process_next linux_signal_interrupted(struct uthread *t, uint32_t *status)
{
	struct linux_proc *lp = t->p->pers;

	if (!linux_call_enter(lp, t))
		return PROCESS_NEXT_RUN; /* the process is ending: the thread sees it */
	lp->regs = &t->regs;
	lp->thread = t;
	linux_signal_deliver(lp, t, UINT64_MAX); /* no call to restart */
	lp->regs = NULL;
	lp->thread = NULL;
	linux_call_leave(lp);
	return PROCESS_NEXT_RUN;
}

/* --- the calls */

/* rt_sigaction(sig, act, oldact, sigsetsize) */
LINUX_CALL(rt_sigaction)
{
	uint64_t sig = a[0];
	struct linux_sigaction act;

	if (sig < 1 || sig > LINUX_NSIG || a[3] != 8)
		return LINUX_ERR(LINUX_EINVAL);
	if (a[1] && (BIT(sig) & LINUX_SIG_UNBLOCKABLE))
		return LINUX_ERR(LINUX_EINVAL);
	if (a[1] && linux_copy_in(lp, &act, a[1], sizeof act))
		return LINUX_ERR(LINUX_EFAULT);
	if (a[2] && linux_copy_out(lp, a[2], &lp->act[sig - 1], sizeof act))
		return LINUX_ERR(LINUX_EFAULT);
	if (a[1]) {
		act.mask &= ~LINUX_SIG_UNBLOCKABLE;
		lp->act[sig - 1] = act;
		update_ignored(lp, lp->thread->p);
	}
	return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize): the calling thread's. */
LINUX_CALL(rt_sigprocmask)
{
	struct uthread *t = lp->thread;
	uint64_t set, old = t->sig_blocked;

	if (a[3] != 8)
		return LINUX_ERR(LINUX_EINVAL);
	if (a[1]) {
		if (a[0] > 2)
			return LINUX_ERR(LINUX_EINVAL);
		if (linux_copy_in(lp, &set, a[1], sizeof set))
			return LINUX_ERR(LINUX_EFAULT);
	}
	if (a[2] && linux_copy_out(lp, a[2], &old, sizeof old))
		return LINUX_ERR(LINUX_EFAULT);
	if (a[1]) {
		uint64_t now = a[0] == 0 ? old | set : a[0] == 1 ? old & ~set : set;

		t->sig_blocked = now & ~LINUX_SIG_UNBLOCKABLE;
	}
	return 0;
}

LINUX_CALL(rt_sigpending)
{
	struct uthread *t = lp->thread;
	uint64_t set = (__atomic_load_n(&t->sig_pending, __ATOMIC_ACQUIRE) |
			__atomic_load_n(&t->p->sig_pending, __ATOMIC_ACQUIRE)) & t->sig_blocked;

	if (a[1] != 8)
		return LINUX_ERR(LINUX_EINVAL);
	return linux_copy_out(lp, a[0], &set, sizeof set);
}

/* Wait, without the call lock, until a signal t does not block is
 * pending (or the process ends). */
static void wait_signal(struct linux_proc *lp)
{
	struct uthread *t = lp->thread;
	struct uvm_regs *r = lp->regs;

	linux_call_leave(lp);
	while (!untrusted_signalled(t) && !untrusted_stopping(t))
		thread_wait(THREAD_EV_SERVICE);
	linux_call_retake(lp, t, r);
}

/* rt_sigsuspend(mask, sigsetsize): wait with mask for a handler to run;
 * the old mask is back after it (the frame holds it). */
LINUX_CALL(rt_sigsuspend)
{
	uint64_t set, old;

	if (a[1] != 8)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_in(lp, &set, a[0], sizeof set))
		return LINUX_ERR(LINUX_EFAULT);
	old = lp->thread->sig_blocked;
	lp->thread->sig_blocked = set & ~LINUX_SIG_UNBLOCKABLE;
	wait_signal(lp);
	/* Only now, with the call lock again until the delivery: another
	 * thread's calls ran meanwhile. */
	lp->suspend_mask = old;
	lp->suspended = true;
	return LINUX_ERR(LINUX_ERESTARTNOHAND);
}

LINUX_CALL(pause)
{
	wait_signal(lp);
	return LINUX_ERR(LINUX_ERESTARTNOHAND);
}

/* sigaltstack(ss, old_ss): one alternate stack per process. */
LINUX_CALL(sigaltstack)
{
	struct linux_stack_t ss, old = lp->altstack;

	if (on_altstack(lp, lp->regs->rsp))
		old.flags |= LINUX_SS_ONSTACK;
	if (a[1] && linux_copy_out(lp, a[1], &old, sizeof old))
		return LINUX_ERR(LINUX_EFAULT);
	if (!a[0])
		return 0;
	if (linux_copy_in(lp, &ss, a[0], sizeof ss))
		return LINUX_ERR(LINUX_EFAULT);
	if (old.flags & LINUX_SS_ONSTACK)
		return LINUX_ERR(LINUX_EPERM);
	if (ss.flags & ~(LINUX_SS_DISABLE | (int32_t)0x80000000)) /* SS_AUTODISARM accepted */
		return LINUX_ERR(LINUX_EINVAL);
	if (ss.flags & LINUX_SS_DISABLE) {
		lp->altstack = (struct linux_stack_t){.flags = LINUX_SS_DISABLE};
		return 0;
	}
	if (ss.size < LINUX_MINSIGSTKSZ || ss.sp >= LINUX_USER_TOP ||
	    ss.size > LINUX_USER_TOP - ss.sp)
		return LINUX_ERR(ss.size < LINUX_MINSIGSTKSZ ? LINUX_ENOMEM : LINUX_EINVAL);
	lp->altstack = (struct linux_stack_t){.sp = ss.sp, .size = ss.size};
	return 0;
}

/* Send sig to target (a pid, or a group if negative) from lp. */
static long send(struct linux_proc *lp, int64_t target, uint64_t sig, int32_t code)
{
	struct process_siginfo info = {code, (uint32_t)lp->pid, 0};
	enum lm_err err;

	if (sig > LINUX_NSIG)
		return LINUX_ERR(LINUX_EINVAL);
	if (sig == LINUX_SIGKILL && target > 0 && /* at once, wherever it runs */
	    !untrusted_signal((uint64_t)target, &linux_personality,
			      PROCESS_SIGNALED + LINUX_SIGKILL))
		return 0;
	/* (SIGKILL to a process that has ended, not yet waited for, is the
	 * post's: it exists, and nothing happens.) */
	err = untrusted_post(target, &linux_personality, (uint32_t)sig, &info);
	return err ? LINUX_ERR(LINUX_ESRCH) : 0;
}

/* kill(pid, sig): a process, the caller's group (0), a group (below -1);
 * -1 (every process) is refused. */
LINUX_CALL(kill)
{
	int32_t pid = (int32_t)a[0];

	if (pid == -1)
		return LINUX_ERR(LINUX_ESRCH);
	if (pid == 0)
		return send(lp, -(int64_t)untrusted_pgid(lp->thread->p), a[1], LINUX_SI_USER);
	return send(lp, pid, a[1], LINUX_SI_USER);
}

/* tgkill(tgid, tid, sig): to that thread (raise, abort, pthread_kill);
 * SIGKILL ends its whole process. */
LINUX_CALL(tgkill)
{
	struct process_siginfo info = {LINUX_SI_TKILL, (uint32_t)lp->pid, 0};
	int32_t tgid = (int32_t)a[0], tid = (int32_t)a[1];

	if (tgid <= 0 || tid <= 0 || a[2] > LINUX_NSIG)
		return LINUX_ERR(LINUX_EINVAL);
	if (a[2] == LINUX_SIGKILL)
		return send(lp, tgid, a[2], LINUX_SI_TKILL);
	return untrusted_post_thread((uint64_t)tgid, (uint64_t)tid, &linux_personality,
				     (uint32_t)a[2], &info) ? LINUX_ERR(LINUX_ESRCH) : 0;
}

/* Post sig to the calling thread's process (SIGPIPE on a write without
 * readers): delivered on its way back. */
void linux_signal_self(struct uthread *t, uint32_t sig)
{
	struct process_siginfo info = {LINUX_SI_KERNEL, 0, 0};

	untrusted_post((int64_t)t->p->id, &linux_personality, sig, &info);
}
