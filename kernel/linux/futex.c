/*
 * futex (see linux.h): FUTEX_WAIT and FUTEX_WAKE (and their _BITSET forms,
 * every bit taken as matching), private or not, which glibc's threads
 * need: a lock's slow path, pthread_join's wait for the thread's
 * clear_child_tid word, condition variables.
 *
 * Owns a table of FUTEX_WAITERS waiting threads, each keyed by its space
 * and the word's address. A wait compares the word and enters the table
 * under table_lock, so a wake that follows a change of the word, which
 * takes the same lock, cannot fall between the compare and the wait. The
 * waiter lets go of its process's call lock while it waits (the thread
 * that will wake it needs to make calls), and is woken by a wake, its
 * deadline, or its process's ending (untrusted_stopping), or a signal
 * (untrusted_signalled: restarted or EINTR, signal.c).
 */
#include "arch/spinlock.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/linux/linux.h"

#define FUTEX_WAITERS 128
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_CMD_MASK 0x7f  /* without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */
#define LINUX_ETIMEDOUT 110

struct waiter {
	bool used, woken;
	aspace_space space;
	uint64_t uaddr;
	struct thread *thread;
};

static struct waiter waiters[FUTEX_WAITERS];
static struct spinlock table_lock = SPINLOCK_INIT;

long linux_futex_wake(aspace_space space, uint64_t uaddr, long n)
{
	bool irq = plat_spin_lock(&table_lock);
	long woken = 0;

	for (int i = 0; i < FUTEX_WAITERS && woken < n; i++) {
		struct waiter *w = &waiters[i];

		if (w->used && !w->woken && w->space == space && w->uaddr == uaddr) {
			w->woken = true;
			thread_signal(w->thread, THREAD_EV_SERVICE);
			woken++;
		}
	}
	plat_spin_unlock(&table_lock, irq);
	return woken;
}

/* Wait at uaddr while it holds val, until deadline (0: none). */
static long futex_wait(struct linux_proc *lp, uint64_t uaddr, uint32_t val, uint64_t deadline)
{
	struct uthread *t = lp->thread;
	struct uvm_regs *r = lp->regs;
	struct waiter *w = NULL;
	uint32_t now;
	long ret = 0;
	bool irq;

	if (uaddr % 4)
		return LINUX_ERR(LINUX_EINVAL);
	irq = plat_spin_lock(&table_lock);
	if (aspace_read(lp->space, uaddr, &now, sizeof now, false)) {
		plat_spin_unlock(&table_lock, irq);
		return LINUX_ERR(LINUX_EFAULT);
	}
	if (now != val) {
		plat_spin_unlock(&table_lock, irq);
		return LINUX_ERR(LINUX_EAGAIN);
	}
	for (int i = 0; i < FUTEX_WAITERS && !w; i++)
		if (!waiters[i].used)
			w = &waiters[i];
	if (w)
		*w = (struct waiter){true, false, lp->space, uaddr, thread_current()};
	plat_spin_unlock(&table_lock, irq);
	if (!w)
		return LINUX_ERR(LINUX_ENOMEM);
	linux_call_leave(lp);
	for (;;) {
		bool woken;

		irq = plat_spin_lock(&table_lock);
		woken = w->woken;
		plat_spin_unlock(&table_lock, irq);
		if (woken)
			break;
		if (untrusted_stopping(t) || untrusted_signalled(t)) {
			ret = LINUX_ERR(LINUX_ERESTARTSYS);
			break;
		}
		if (deadline && plat_now_ns() >= deadline) {
			ret = LINUX_ERR(LINUX_ETIMEDOUT);
			break;
		}
		if (deadline)
			timer_wait_until(THREAD_EV_SERVICE, deadline);
		else
			thread_wait(THREAD_EV_SERVICE);
	}
	irq = plat_spin_lock(&table_lock);
	if (w->woken)
		ret = 0; /* a wake that came with the deadline counts */
	w->used = false;
	plat_spin_unlock(&table_lock, irq);
	linux_call_retake(lp, t, r);
	return ret;
}

/* futex(uaddr, op, val, timeout, uaddr2, val3) */
LINUX_CALL(futex)
{
	uint64_t op = a[1] & FUTEX_CMD_MASK, deadline = 0;

	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (a[3]) {
			long err = linux_timespec_in(lp, a[3], &deadline);

			if (err)
				return err;
			/* FUTEX_WAIT's is relative; the bitset form's absolute on
			 * the monotonic clock, which is plat_now_ns here. */
			if (op == FUTEX_WAIT)
				deadline += plat_now_ns();
			if (!deadline)
				deadline = 1;
		}
		return futex_wait(lp, a[0], (uint32_t)a[2], deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return linux_futex_wake(lp->space, a[0], (long)(a[2] > 0x7fffffff ? 0x7fffffff : a[2]));
	default:
		return LINUX_ERR(LINUX_ENOSYS);
	}
}
