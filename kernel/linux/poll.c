/*
 * poll, ppoll, select and pselect6: which descriptors are ready, waiting
 * up to a timeout (select's sets become poll's descriptors).
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
 * ppoll's and pselect6's mask is the thread's while it waits and is put
 * back after, or, when a signal interrupts it, after that signal's handler
 * (as rt_sigsuspend's, signal.c).
 */
#include "core/platform.h"
#include "core/timer.h"
#include "kernel/linux/linux.h"
#include "lib/string.h"

#define POLL_MAX 256                /* descriptors per call (the bounce buffer's) */
#define POLL_SLICE_NS 10000000ull   /* 10 ms */
#define FOREVER UINT64_MAX

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

/* Wait for the n descriptors of fds (kernel memory) for up to timeout_ns
 * (FOREVER: no limit): how many are ready, their revents set. */
static long wait_ready(struct linux_proc *lp, struct linux_pollfd *fds, uint64_t n,
		       uint64_t timeout_ns)
{
	uint64_t start = plat_now_ns();

	for (;;) {
		uint64_t spent = plat_now_ns() - start, wait;
		long count = 0;
		int w;

		for (uint64_t i = 0; i < n; i++)
			count += (fds[i].revents = ready(lp, &fds[i], 0)) != 0;
		if (count || spent >= timeout_ns)
			return count;
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
}

/* Poll the n descriptors at ufds: wait_ready, their revents written back. */
static long do_poll(struct linux_proc *lp, uint64_t ufds, uint64_t n, uint64_t timeout_ns)
{
	struct linux_pollfd *fds = (struct linux_pollfd *)lp->buf;
	long count;

	if (n > POLL_MAX)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_in(lp, fds, ufds, n * sizeof *fds))
		return LINUX_ERR(LINUX_EFAULT);
	if ((count = wait_ready(lp, fds, n, timeout_ns)) < 0)
		return count;
	return linux_copy_out(lp, ufds, fds, n * sizeof *fds) ? LINUX_ERR(LINUX_EFAULT) : count;
}

/* A timespec at uts as nanoseconds (uts 0: FOREVER). */
static long timeout_in(struct linux_proc *lp, uint64_t uts, uint64_t *ns)
{
	*ns = FOREVER;
	return uts ? linux_timespec_in(lp, uts, ns) : 0;
}

/* The mask at umask (size bytes) is the thread's while it waits (none if
 * umask is 0); *old keeps the one to go back to. */
static long mask_set(struct linux_proc *lp, uint64_t umask, uint64_t size, uint64_t *old)
{
	uint64_t mask;

	*old = lp->thread->sig_blocked;
	if (!umask)
		return 0;
	if (size != sizeof mask)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_copy_in(lp, &mask, umask, sizeof mask))
		return LINUX_ERR(LINUX_EFAULT);
	lp->thread->sig_blocked = mask & ~LINUX_SIG_UNBLOCKABLE;
	return 0;
}

/* The wait with the mask is over (ret its result): the old mask is back
 * now, or, if a signal interrupted it, after that signal's handler. */
static long mask_done(struct linux_proc *lp, bool had_mask, uint64_t old, long ret)
{
	if (had_mask && ret == LINUX_ERR(LINUX_ERESTARTNOHAND)) {
		lp->suspend_mask = old;
		lp->suspended = true;
	} else {
		lp->thread->sig_blocked = old;
	}
	return ret;
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
	uint64_t timeout, old;
	long err;

	if ((err = timeout_in(lp, a[2], &timeout)) || (err = mask_set(lp, a[3], a[4], &old)))
		return err;
	return mask_done(lp, a[3], old, do_poll(lp, a[0], a[1], timeout));
}

/* --- select and pselect6: the sets as poll's descriptors */

#define SETS_MAX 1024 /* FD_SETSIZE */

/*
 * Select among the first nfds descriptors, in the read, write and error
 * sets at ur, uw, ue (each may be 0), for up to timeout_ns: the sets
 * written back with what is ready, and how many bits are set. A set
 * naming a descriptor not open is EBADF, as on Linux.
 */
static long do_select(struct linux_proc *lp, uint64_t nfds, const uint64_t uset[3],
		      uint64_t timeout_ns)
{
	struct linux_pollfd *fds = (struct linux_pollfd *)lp->buf;
	uint64_t sets[3][SETS_MAX / 64] = {{0}}, n = 0, words;
	static const short want[3] = {LINUX_POLLIN, LINUX_POLLOUT, LINUX_POLLPRI};
	static const short seen[3] = {LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR,
				      LINUX_POLLOUT | LINUX_POLLERR, LINUX_POLLPRI};
	long count, bits = 0;

	if ((int64_t)nfds < 0 || nfds > SETS_MAX)
		return LINUX_ERR(LINUX_EINVAL);
	words = (nfds + 63) / 64;
	for (int k = 0; k < 3; k++)
		if (uset[k] && linux_copy_in(lp, sets[k], uset[k], words * 8))
			return LINUX_ERR(LINUX_EFAULT);
	for (uint64_t fd = 0; fd < nfds; fd++) {
		short events = 0;

		for (int k = 0; k < 3; k++)
			events |= sets[k][fd / 64] >> (fd % 64) & 1 ? want[k] : 0;
		if (!events)
			continue;
		if (!linux_fd_file(lp, (long)fd))
			return LINUX_ERR(LINUX_EBADF);
		if (n == POLL_MAX)
			return LINUX_ERR(LINUX_EINVAL);
		fds[n++] = (struct linux_pollfd){.fd = (int32_t)fd, .events = events};
	}
	if ((count = wait_ready(lp, fds, n, timeout_ns)) < 0)
		return count;
	memset(sets, 0, sizeof sets);
	for (uint64_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			if (fds[i].events & want[k] && fds[i].revents & seen[k]) {
				sets[k][fds[i].fd / 64] |= 1ull << (fds[i].fd % 64);
				bits++;
			}
	for (int k = 0; k < 3; k++)
		if (uset[k] && linux_copy_out(lp, uset[k], sets[k], words * 8))
			return LINUX_ERR(LINUX_EFAULT);
	return bits;
}

/* select(nfds, readfds, writefds, exceptfds, timeval): the time left is
 * written back into the timeval, as Linux does. */
LINUX_CALL(select)
{
	const uint64_t uset[3] = {a[1], a[2], a[3]};
	uint64_t timeout = FOREVER, start = plat_now_ns();
	long ret;

	if (a[4] && (ret = linux_timeval_in(lp, a[4], &timeout)))
		return ret;
	ret = do_select(lp, a[0], uset, timeout);
	if (a[4] && ret >= 0) {
		uint64_t spent = plat_now_ns() - start, left = spent < timeout ? timeout - spent : 0;
		int64_t tv[2];

		tv[0] = (int64_t)(left / 1000000000);
		tv[1] = (int64_t)(left % 1000000000 / 1000);
		if (linux_copy_out(lp, a[4], tv, sizeof tv))
			return LINUX_ERR(LINUX_EFAULT);
	}
	return ret;
}

/* pselect6(nfds, readfds, writefds, exceptfds, timespec, {sigmask, size}) */
LINUX_CALL(pselect6)
{
	const uint64_t uset[3] = {a[1], a[2], a[3]};
	uint64_t timeout, old, sig[2] = {0, 0};
	long err;

	if (a[5] && linux_copy_in(lp, sig, a[5], sizeof sig))
		return LINUX_ERR(LINUX_EFAULT);
	if ((err = timeout_in(lp, a[4], &timeout)) || (err = mask_set(lp, sig[0], sig[1], &old)))
		return err;
	return mask_done(lp, sig[0], old, do_select(lp, a[0], uset, timeout));
}
