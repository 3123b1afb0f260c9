/*
 * Linux processes' state (struct linux_proc, linux.h). Their memory, as
 * the personality reaches it, is kernel/linux/user.c's.
 *
 * Owns the table of LINUX_PROCS states. A slot is taken when a Linux
 * program starts (linux_proc_alloc) and given back by the process's own
 * thread when it ends (linux_proc_free, the personality's `ended` hook);
 * in between only that thread touches it. table_lock guards `used`.
 */
#include "arch/spinlock.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/aspace.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/proc.h"
#include "kernel/process.h"
#include "lib/string.h"

static struct linux_proc procs[LINUX_PROCS];
static struct spinlock table_lock = SPINLOCK_INIT;

struct linux_proc *linux_proc_alloc(void)
{
	struct linux_proc *lp = NULL;
	bool irq = plat_spin_lock(&table_lock);

	for (int i = 0; i < LINUX_PROCS && !lp; i++)
		if (!procs[i].used)
			lp = &procs[i];
	if (lp)
		lp->used = true;
	plat_spin_unlock(&table_lock, irq);
	if (!lp)
		return NULL;
	memset((char *)lp + sizeof lp->used, 0, sizeof *lp - sizeof lp->used);
	lp->umask = 022;
	lp->altstack.flags = LINUX_SS_DISABLE;
	return lp;
}

void linux_proc_free(struct linux_proc *lp)
{
	bool irq;

	linux_fd_close_all(lp);
	linux_alarm_cancel(lp->pid);
	irq = plat_spin_lock(&table_lock);
	lp->used = false;
	plat_spin_unlock(&table_lock, irq);
}

unsigned linux_procs_live(void)
{
	unsigned n = 0;
	bool irq = plat_spin_lock(&table_lock);

	for (int i = 0; i < LINUX_PROCS; i++)
		n += procs[i].used;
	plat_spin_unlock(&table_lock, irq);
	return n;
}

bool linux_proc_gone(struct linux_proc *lp)
{
	struct aspace_info info;

	if (lp->thread)
		return untrusted_stopping(lp->thread); /* ending, or exec replaced it */
	return aspace_query(aspace_door_kernel(), lp->space, &info) == LM_ERR_NOENT;
}

struct linux_call_waiter {
	struct thread *thread;
	struct linux_call_waiter *next;
};

/* Take the call lock; give up (false) if t stops meanwhile and give_up. */
static bool call_lock(struct linux_proc *lp, struct uthread *t, bool give_up)
{
	struct linux_call_waiter w = {thread_current(), NULL};
	bool irq = plat_spin_lock(&lp->call_lock);

	while (lp->call_busy) {
		if (give_up && untrusted_stopping(t)) {
			plat_spin_unlock(&lp->call_lock, irq);
			return false;
		}
		w.next = lp->call_waiters;
		lp->call_waiters = &w;
		plat_spin_unlock(&lp->call_lock, irq);
		thread_wait(THREAD_EV_SERVICE); /* a leave, or the process's end */
		irq = plat_spin_lock(&lp->call_lock);
		for (struct linux_call_waiter **at = &lp->call_waiters; *at; at = &(*at)->next)
			if (*at == &w) {
				*at = w.next;
				break;
			}
	}
	lp->call_busy = true;
	plat_spin_unlock(&lp->call_lock, irq);
	return true;
}

bool linux_call_enter(struct linux_proc *lp, struct uthread *t)
{
	return call_lock(lp, t, true);
}

void linux_call_retake(struct linux_proc *lp, struct uthread *t, struct uvm_regs *r)
{
	call_lock(lp, t, false); /* the holder's call ends, stopping or not */
	lp->thread = t;
	lp->regs = r;
}

void linux_call_leave(struct linux_proc *lp)
{
	bool irq = plat_spin_lock(&lp->call_lock);

	lp->call_busy = false;
	for (struct linux_call_waiter *w = lp->call_waiters; w; w = w->next)
		thread_signal(w->thread, THREAD_EV_SERVICE); /* each tries again */
	lp->call_waiters = NULL;
	plat_spin_unlock(&lp->call_lock, irq);
}
