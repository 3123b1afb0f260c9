/*
 * Open files and descriptors, and the calls on descriptors (see linux.h).
 *
 * Owns the pool of LINUX_FILES open files (struct linux_file). A file is
 * taken by linux_file_new with one reference, gets one more per
 * descriptor or other holder (linux_file_get), and goes back to the pool
 * when the last is put, after its kind's release. pool_lock guards the
 * slots' `used`; references are atomic. A process's descriptor
 * table (struct linux_proc's fd[]) is its own thread's only.
 *
 * Data moves through the process's bounce buffer (LINUX_BUF bytes): the
 * kind's read or write works on kernel memory, the copy to or from the
 * program is checked (EFAULT before anything moves: a read or write with a
 * bad buffer changes nothing, the offset included, for the first chunk).
 */
#include "arch/spinlock.h"
#include "core/platform.h"
#include "kernel/aspace.h"
#include "kernel/linux/linux.h"
#include "lib/string.h"

#define LINUX_FILES 512
#define IOV_MAX 1024

static struct linux_file pool[LINUX_FILES];
static struct spinlock pool_lock = SPINLOCK_INIT;

struct linux_file *linux_file_new(const struct linux_file_ops *ops, uint32_t flags,
				  uint64_t node, void *data)
{
	struct linux_file *f = NULL;
	bool irq = plat_spin_lock(&pool_lock);

	for (int i = 0; i < LINUX_FILES && !f; i++)
		if (!pool[i].used)
			f = &pool[i];
	if (f)
		*f = (struct linux_file){.used = true, .refs = 1, .flags = flags, .ops = ops,
					 .node = node, .data = data};
	plat_spin_unlock(&pool_lock, irq);
	return f;
}

unsigned linux_files_live(void)
{
	unsigned n = 0;
	bool irq = plat_spin_lock(&pool_lock);

	for (int i = 0; i < LINUX_FILES; i++)
		n += pool[i].used;
	plat_spin_unlock(&pool_lock, irq);
	return n;
}

void linux_file_get(struct linux_file *f)
{
	__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
}

void linux_file_put(struct linux_file *f)
{
	bool irq;

	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	/* The last reference: no one else can reach f now. */
	if (f->ops->release)
		f->ops->release(f);
	irq = plat_spin_lock(&pool_lock);
	f->used = false;
	plat_spin_unlock(&pool_lock, irq);
}

long linux_fd_install(struct linux_proc *lp, struct linux_file *f, int min, bool cloexec)
{
	for (int fd = min < 0 ? 0 : min; fd < LINUX_FDS; fd++)
		if (!lp->fd[fd]) {
			lp->fd[fd] = f;
			lp->fd_cloexec[fd] = cloexec;
			return fd;
		}
	linux_file_put(f);
	return LINUX_ERR(LINUX_EMFILE);
}

struct linux_file *linux_fd_file(struct linux_proc *lp, long fd)
{
	return fd >= 0 && fd < LINUX_FDS ? lp->fd[fd] : NULL;
}

void linux_fd_close_all(struct linux_proc *lp)
{
	for (int fd = 0; fd < LINUX_FDS; fd++)
		if (lp->fd[fd]) {
			linux_file_put(lp->fd[fd]);
			lp->fd[fd] = NULL;
		}
}

static bool readable(const struct linux_file *f)
{
	return (f->flags & LINUX_O_ACCMODE) != LINUX_O_WRONLY;
}

static bool writable(const struct linux_file *f)
{
	return (f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
}

/* Read up to len bytes of f at *off into the program's buffer at ubuf. A
 * short read from the file ends the call (a stream gives what it has). */
static long do_read(struct linux_proc *lp, struct linux_file *f, uint64_t ubuf, uint64_t len,
		    uint64_t *off)
{
	uint64_t done = 0;

	if (!readable(f) || !f->ops->read)
		return LINUX_ERR(LINUX_EBADF);
	if (f->ops->getdents)
		return LINUX_ERR(LINUX_EISDIR);
	while (done < len) {
		uint64_t chunk = len - done < LINUX_BUF ? len - done : LINUX_BUF;
		uint64_t at = *off;
		long n;

		/* The program's buffer first: a bad one moves nothing. */
		if (linux_check_out(lp, ubuf + done, chunk))
			return done ? (long)done : LINUX_ERR(LINUX_EFAULT);
		n = f->ops->read(lp, f, lp->buf, chunk, &at);
		if (n < 0)
			return done ? (long)done : n;
		if (linux_copy_out(lp, ubuf + done, lp->buf, (uint64_t)n))
			return done ? (long)done : LINUX_ERR(LINUX_EFAULT);
		*off = at;
		done += (uint64_t)n;
		if ((uint64_t)n < chunk)
			break;
	}
	return (long)done;
}

static long do_write(struct linux_proc *lp, struct linux_file *f, uint64_t ubuf, uint64_t len,
		     uint64_t *off)
{
	uint64_t done = 0;

	if (!writable(f) || !f->ops->write)
		return LINUX_ERR(LINUX_EBADF);
	while (done < len) {
		uint64_t chunk = len - done < LINUX_BUF ? len - done : LINUX_BUF;
		long n;

		if (linux_copy_in(lp, lp->buf, ubuf + done, chunk))
			return done ? (long)done : LINUX_ERR(LINUX_EFAULT);
		n = f->ops->write(f, lp->buf, chunk, off);
		if (n < 0)
			return done ? (long)done : n;
		done += (uint64_t)n;
		if ((uint64_t)n < chunk)
			break;
	}
	return (long)done;
}

LINUX_CALL(read)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);

	return f ? do_read(lp, f, a[1], a[2], &f->off) : LINUX_ERR(LINUX_EBADF);
}

LINUX_CALL(write)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);

	return f ? do_write(lp, f, a[1], a[2], &f->off) : LINUX_ERR(LINUX_EBADF);
}

/* pread64 and pwrite64: at the offset a[3], leaving the file's alone. */
static long positioned(struct linux_proc *lp, const uint64_t a[6], bool out)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);
	uint64_t off = a[3];

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if (!f->ops->seekable)
		return LINUX_ERR(LINUX_ESPIPE);
	if ((int64_t)off < 0)
		return LINUX_ERR(LINUX_EINVAL);
	return out ? do_write(lp, f, a[1], a[2], &off) : do_read(lp, f, a[1], a[2], &off);
}

LINUX_CALL(pread64)
{
	return positioned(lp, a, false);
}

LINUX_CALL(pwrite64)
{
	return positioned(lp, a, true);
}

/* readv and writev: each iovec in turn, stopping at a short transfer. */
static long vector(struct linux_proc *lp, const uint64_t a[6], bool out)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);
	uint64_t total = 0;

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if (a[2] > IOV_MAX)
		return LINUX_ERR(LINUX_EINVAL);
	for (uint64_t i = 0; i < a[2]; i++) {
		uint64_t iov[2];
		long n;

		if (linux_copy_in(lp, iov, a[1] + 16 * i, sizeof iov))
			return total ? (long)total : LINUX_ERR(LINUX_EFAULT);
		if (!iov[1])
			continue;
		n = out ? do_write(lp, f, iov[0], iov[1], &f->off)
			: do_read(lp, f, iov[0], iov[1], &f->off);
		if (n < 0)
			return total ? (long)total : n;
		total += (uint64_t)n;
		if ((uint64_t)n < iov[1])
			break;
	}
	return (long)total;
}

LINUX_CALL(readv)
{
	return vector(lp, a, false);
}

LINUX_CALL(writev)
{
	return vector(lp, a, true);
}

LINUX_CALL(close)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	lp->fd[a[0]] = NULL;
	linux_file_put(f);
	return 0;
}

LINUX_CALL(lseek)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);
	int64_t off = (int64_t)a[1], base;
	struct linux_stat st;

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if (!f->ops->seekable)
		return LINUX_ERR(LINUX_ESPIPE);
	switch (a[2]) {
	case 0: base = 0; break;
	case 1: base = (int64_t)f->off; break;
	case 2:
		f->ops->stat(f, &st);
		base = st.size;
		break;
	default: return LINUX_ERR(LINUX_EINVAL);
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return LINUX_ERR(LINUX_EINVAL);
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

LINUX_CALL(fstat)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);
	struct linux_stat st = {0};
	long err;

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if ((err = f->ops->stat(f, &st)))
		return err;
	return linux_copy_out(lp, a[1], &st, sizeof st);
}

LINUX_CALL(getdents64)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);
	uint64_t len = a[2] < LINUX_BUF ? a[2] : LINUX_BUF;
	long n;

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if (!f->ops->getdents)
		return LINUX_ERR(LINUX_ENOTDIR);
	if (linux_check_out(lp, a[1], len))
		return LINUX_ERR(LINUX_EFAULT);
	n = f->ops->getdents(f, lp->buf, len, &f->off);
	if (n > 0 && linux_copy_out(lp, a[1], lp->buf, (uint64_t)n))
		return LINUX_ERR(LINUX_EFAULT);
	return n;
}

LINUX_CALL(ioctl)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if (!f->ops->ioctl)
		return LINUX_ERR(LINUX_ENOTTY);
	return f->ops->ioctl(f, lp, a[1], a[2]);
}

/* dup's core: newfd (or the lowest free from min) gets oldfd's file. */
static long dup_to(struct linux_proc *lp, long oldfd, long newfd, bool cloexec)
{
	struct linux_file *f = linux_fd_file(lp, oldfd);

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	if (newfd < 0 || newfd >= LINUX_FDS)
		return LINUX_ERR(LINUX_EBADF);
	linux_file_get(f);
	if (lp->fd[newfd])
		linux_file_put(lp->fd[newfd]);
	lp->fd[newfd] = f;
	lp->fd_cloexec[newfd] = cloexec;
	return newfd;
}

LINUX_CALL(dup)
{
	struct linux_file *f = linux_fd_file(lp, (long)a[0]);

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	linux_file_get(f);
	return linux_fd_install(lp, f, 0, false);
}

LINUX_CALL(dup2)
{
	if (!linux_fd_file(lp, (long)a[0]))
		return LINUX_ERR(LINUX_EBADF);
	if (a[0] == a[1])
		return (long)a[1];
	return dup_to(lp, (long)a[0], (long)a[1], false);
}

LINUX_CALL(dup3)
{
	if (a[2] & ~(uint64_t)LINUX_O_CLOEXEC)
		return LINUX_ERR(LINUX_EINVAL);
	if (a[0] == a[1])
		return LINUX_ERR(LINUX_EINVAL);
	return dup_to(lp, (long)a[0], (long)a[1], a[2] & LINUX_O_CLOEXEC);
}

LINUX_CALL(fcntl)
{
	long fd = (long)a[0];
	struct linux_file *f = linux_fd_file(lp, fd);

	if (!f)
		return LINUX_ERR(LINUX_EBADF);
	switch (a[1]) {
	case LINUX_F_DUPFD:
	case LINUX_F_DUPFD_CLOEXEC:
		if (a[2] >= LINUX_FDS)
			return LINUX_ERR(LINUX_EINVAL);
		linux_file_get(f);
		return linux_fd_install(lp, f, (int)a[2], a[1] == LINUX_F_DUPFD_CLOEXEC);
	case LINUX_F_GETFD:
		return lp->fd_cloexec[fd] ? LINUX_FD_CLOEXEC : 0;
	case LINUX_F_SETFD:
		lp->fd_cloexec[fd] = a[2] & LINUX_FD_CLOEXEC;
		return 0;
	case LINUX_F_GETFL:
		return f->flags;
	case LINUX_F_SETFL:
		f->flags = (f->flags & LINUX_O_ACCMODE) |
			   ((uint32_t)a[2] & (LINUX_O_APPEND | LINUX_O_NONBLOCK));
		return 0;
	default:
		return LINUX_ERR(LINUX_EINVAL);
	}
}

/* sendfile(out, in, offset pointer or 0, count): through the bounce
 * buffer, a chunk at a time. */
LINUX_CALL(sendfile)
{
	struct linux_file *out = linux_fd_file(lp, (long)a[0]);
	struct linux_file *in = linux_fd_file(lp, (long)a[1]);
	uint64_t off, *at, done = 0;

	if (!out || !in || !readable(in) || !writable(out) || !in->ops->read ||
	    !out->ops->write)
		return LINUX_ERR(LINUX_EBADF);
	if (a[2]) {
		if (linux_copy_in(lp, &off, a[2], sizeof off))
			return LINUX_ERR(LINUX_EFAULT);
		at = &off;
	} else {
		at = &in->off;
	}
	/* At most a time slice's worth, and not past a kill or a signal: a
	 * pipe sent into itself would go round for ever. A short count is
	 * sendfile's to give; the caller calls again. */
	for (uint64_t start = plat_now_ns(); done < a[3];) {
		uint64_t chunk = a[3] - done < LINUX_BUF ? a[3] - done : LINUX_BUF;
		uint64_t w = out->off;
		long n, m;

		if (done && (plat_now_ns() - start >= ASPACE_SLICE_NS ||
			     (lp->thread && (untrusted_stopping(lp->thread) ||
					     untrusted_signalled(lp->thread)))))
			break;
		n = in->ops->read(lp, in, lp->buf, chunk, at);

		if (n <= 0) {
			if (n < 0 && !done)
				return n;
			break;
		}
		m = out->ops->write(out, lp->buf, (uint64_t)n, &w);
		out->off = w;
		if (m < 0)
			return done ? (long)done : m;
		done += (uint64_t)m;
		if (m < n || (uint64_t)n < chunk)
			break;
	}
	if (a[2] && linux_copy_out(lp, a[2], &off, sizeof off))
		return LINUX_ERR(LINUX_EFAULT);
	return (long)done;
}
