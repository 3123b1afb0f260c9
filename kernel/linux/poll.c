/*
 * poll and ppoll: which descriptors are ready, waiting up to a timeout.
 *
 * A kind of file says it with its poll op (linux.h): pipes from what they
 * hold and which ends are open, sockets from their stash or from the Net
 * door (socket.c); a kind without one (files, /dev, the console) is always
 * ready both ways, as a regular file is on Linux (the console too, here:
 * a read of it then waits).
 *
 * Waiting: each round looks at every descriptor without waiting; if none
 * is ready, the first socket asked to be readable waits for it up to a
 * slice (POLL_SLICE_NS), or, with no socket (or one that cannot wait, not
 * being connected), the thread sleeps a slice: a poll never spins, which
 * on a set-apart hart would keep every other process there waiting.
 * So a socket's data wakes the poll at once, anything else within a
 * slice. Between rounds a kill or a pending signal ends the wait: EINTR
 * (ERESTARTNOHAND: restarted if no handler ran, as Linux).
 *
 * ppoll's mask is the thread's while it waits and is put back after,
 * or, when a signal interrupts it, after that signal's handler (as
 * rt_sigsuspend's, signal.c).
 */
#include "core/platform.h"
#include "core/timer.h"
#include "kernel/linux/linux.h"

#define POLL_MAX 256                /* descriptors per call (the bounce buffer's) */
#define POLL_SLICE_NS 10000000ull   /* 10 ms */
#define FOREVER UINT64_MAX
#define UNBLOCKABLE ((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)))

_Static_assert(POLL_MAX * sizeof(struct linux_pollfd) <= LINUX_BUF, "the bounce buffer holds them");

/* What of pfd's events hold (waiting up to wait_ns if its kind can). */
static short ready(struct linux_proc *lp, const struct linux_pollfd *pfd, uint64_t wait_ns)
{
	struct linux_file *f;
	short events = (short)(pfd->events | LINUX_POLLERR | LINUX_POLLHUP);

	if (pfd->fd < 0)
		return 0;
	if (!(f = linux_fd_file(lp, pfd->fd)))
		return LINUX_POLLNVAL;
	if (!f->ops->poll)
		return (short)(pfd->events & (LINUX_POLLIN | LINUX_POLLOUT));
	return (short)(f->ops->poll(lp, f, pfd->events, wait_ns) & events);
}

/* The first descriptor asked to be readable whose kind can wait for it
 * (a socket), or -1. */
static int waiter(struct linux_proc *lp, const struct linux_pollfd *fds, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct linux_file *f = fds[i].fd < 0 ? NULL : linux_fd_file(lp, fds[i].fd);

		if (f && f->ops->poll_waits && fds[i].events & LINUX_POLLIN)
			return (int)i;
	}
	return -1;
}

static bool interrupted(struct linux_proc *lp)
{
	return untrusted_stopping(lp->thread) || untrusted_signalled(lp->thread);
}

/* Poll the n descriptors at ufds for up to timeout_ns (FOREVER: no
 * limit): how many are ready, their revents written back. */
static long do_poll(struct linux_proc *lp, uint64_t ufds, uint64_t n, uint64_t timeout_ns)
{
	struct linux_pollfd *fds = (struct linux_pollfd *)lp->buf;
	uint64_t start = plat_now_ns();
	long count;

	if (n > POLL_MAX)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_in(lp, fds, ufds, n * sizeof *fds))
		return LINUX_ERR(LINUX_EFAULT);
	for (;;) {
		uint64_t spent = plat_now_ns() - start, wait;
		int w;

		count = 0;
		for (uint64_t i = 0; i < n; i++)
			count += (fds[i].revents = ready(lp, &fds[i], 0)) != 0;
		if (count || spent >= timeout_ns)
			break;
		if (interrupted(lp))
			return LINUX_ERR(LINUX_ERESTARTNOHAND);
		wait = timeout_ns - spent < POLL_SLICE_NS ? timeout_ns - spent : POLL_SLICE_NS;
		/* What the waiter finds is seen next round. One that cannot wait
		 * in its state (a socket not yet connected) comes back at once:
		 * then the thread sleeps the slice, so a poll never spins. */
		spent = plat_now_ns();
		if ((w = waiter(lp, fds, n)) < 0 || !ready(lp, &fds[w], wait))
			if (plat_now_ns() - spent < wait / 2)
				timer_sleep_ns(wait);
	}
	return linux_copy_out(lp, ufds, fds, n * sizeof *fds) ? LINUX_ERR(LINUX_EFAULT) : count;
}

/* poll(fds, nfds, timeout_ms): a negative timeout waits without limit. */
LINUX_CALL(poll)
{
	int32_t ms = (int32_t)a[2];

	return do_poll(lp, a[0], a[1], ms < 0 ? FOREVER : (uint64_t)ms * 1000000);
}

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize) */
LINUX_CALL(ppoll)
{
	uint64_t timeout = FOREVER, mask = 0, old = lp->thread->sig_blocked;
	long ret;

	if (a[2]) {
		struct linux_timespec ts;

		if (linux_copy_in(lp, &ts, a[2], sizeof ts))
			return LINUX_ERR(LINUX_EFAULT);
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return LINUX_ERR(LINUX_EINVAL);
		timeout = (uint64_t)ts.sec * 1000000000 + (uint64_t)ts.nsec;
	}
	if (a[3]) {
		if (a[4] != sizeof mask)
			return LINUX_ERR(LINUX_EINVAL);
		if (linux_copy_in(lp, &mask, a[3], sizeof mask))
			return LINUX_ERR(LINUX_EFAULT);
		lp->thread->sig_blocked = mask & ~UNBLOCKABLE;
	}
	ret = do_poll(lp, a[0], a[1], timeout);
	if (a[3] && ret == LINUX_ERR(LINUX_ERESTARTNOHAND)) {
		lp->suspend_mask = old; /* back after the handler */
		lp->suspended = true;
	} else {
		lp->thread->sig_blocked = old;
	}
	return ret;
}
