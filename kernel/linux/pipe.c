/*
 * Linux's pipes (pipe, pipe2) as open files over kernel/pipe.c's object:
 * the read end a file open for reading, the write end one open for
 * writing; dup and fork share them as any file (fd.c), and the pipe's
 * reader and writer counts follow the files' last references (release).
 *
 * A read of an empty pipe, or a write to a full one, blocks the calling
 * thread only, and gives up if its process is ending (untrusted_stopping:
 * the ending wakes it). O_NONBLOCK gives EAGAIN instead. A waiting read
 * lets go of the process's call lock (its other threads' calls go on: one
 * may be the writer); a waiting write keeps it. A write with no
 * reader left gets EPIPE and a SIGPIPE (signal.c: by default it ends
 * the writer). A signal for the waiting thread interrupts either
 * (LINUX_ERESTARTSYS: restarted or EINTR).
 *
 * Named pipes (mknod of S_IFIFO in /tmp, tmpfs.c) are files over the same
 * object: a FIFO node holds a struct linux_fifo, whose pipe the first open
 * makes and the last close drops; each open is a file of one end, or of
 * both (O_RDWR). An open of one end waits, as the pipe's read does, until
 * the other end has been opened (Linux's rule; O_NONBLOCK: a reader does
 * not wait, a writer without a reader gets ENXIO). fifo_lock guards every
 * FIFO's pipe and count of files, so that an open never finds a pipe its
 * last close is dropping; the pipe's own lock is taken inside it.
 */
#include "arch/spinlock.h"
#include "core/platform.h"
#include "kernel/linux/linux.h"
#include "kernel/pipe.h"
#include "kernel/process.h"

static struct spinlock fifo_lock = SPINLOCK_INIT;

/* A wait gives up as the process ends or a signal comes for the thread. */
static bool stopping(const void *ctx)
{
	return untrusted_stopping(ctx) || untrusted_signalled(ctx);
}

/* A read that waits lets go of the process's call lock meanwhile, so
 * that its other threads' calls (a write to this pipe among them) go on:
 * nothing is in the bounce buffer yet. A write keeps it (its bytes are
 * there). */
struct reading {
	struct linux_proc *lp;
	struct uthread *t;
	struct uvm_regs *regs;
};

static bool reader_stopping(const void *ctx)
{
	return stopping(((const struct reading *)ctx)->t);
}

static void reader_leave(const void *ctx)
{
	linux_call_leave(((const struct reading *)ctx)->lp);
}

static void reader_retake(const void *ctx)
{
	const struct reading *r = ctx;

	linux_call_retake(r->lp, r->t, r->regs);
}

/* The stop of a wait that lets go of the call lock (r's, in the caller's
 * frame): a read's, a named pipe's open. */
static struct pipe_stop reader_stop(struct linux_proc *lp, struct reading *r)
{
	*r = (struct reading){lp, lp->thread, lp->regs};
	return (struct pipe_stop){reader_stopping, r, reader_leave, reader_retake};
}

static long pipe_file_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
			   uint64_t *off)
{
	struct uthread *t = lp->thread;
	struct reading r;
	struct pipe_stop stop = reader_stop(lp, &r);
	uint64_t got;
	enum lm_err err = pipe_read(f->data, buf, len, f->flags & LINUX_O_NONBLOCK,
				    t ? &stop : NULL, &got);

	if (err == LM_ERR_BUSY)
		return LINUX_ERR(LINUX_EAGAIN);
	return err ? LINUX_ERR(LINUX_ERESTARTSYS) : (long)got;
}

static long pipe_file_write(struct linux_file *f, const void *buf, uint64_t len, uint64_t *off)
{
	struct uthread *t = untrusted_current();
	struct pipe_stop stop = {.stop = stopping, .ctx = t};
	uint64_t put;
	enum lm_err err = pipe_write(f->data, buf, len, f->flags & LINUX_O_NONBLOCK,
				     t ? &stop : NULL, &put);

	if (put)
		return (long)put; /* what went in; the next write sees the error */
	if (err == LM_ERR_BUSY)
		return LINUX_ERR(LINUX_EAGAIN);
	if (err == LM_ERR_CLOSED) {
		if (t)
			linux_signal_self(t, LINUX_SIGPIPE); /* ends it, unless caught or ignored */
		return LINUX_ERR(LINUX_EPIPE);
	}
	return err ? LINUX_ERR(LINUX_ERESTARTSYS) : 0;
}

static long pipe_file_stat(struct linux_file *f, struct linux_stat *st)
{
	*st = (struct linux_stat){.dev = 0x0c, .ino = (uint64_t)(uintptr_t)f->data >> 4,
				  .nlink = 1, .mode = LINUX_S_IFIFO | 0600, .blksize = 4096};
	return 0;
}

static long pipe_file_ioctl(struct linux_file *f, struct linux_proc *lp, uint64_t req,
			    uint64_t arg)
{
	int held;

	if (req != 0x541b) /* FIONREAD */
		return LINUX_ERR(LINUX_ENOTTY);
	held = (int)pipe_held(f->data);
	return linux_copy_out(lp, arg, &held, sizeof held);
}

/* As Linux's pipes: POLLIN while bytes are held, POLLHUP once no writer
 * is left; POLLOUT while there is room, POLLERR once no reader is left. A
 * named pipe open for both is both. */
static short pipe_file_poll(struct linux_proc *lp, struct linux_file *f, short events,
			    uint64_t wait_ns)
{
	uint32_t mode = f->flags & LINUX_O_ACCMODE;
	uint64_t held = pipe_held(f->data);
	short ready = 0;

	if (mode != LINUX_O_WRONLY) {
		ready |= held ? LINUX_POLLIN : 0;
		ready |= pipe_ends(f->data, PIPE_WRITER) ? 0 : LINUX_POLLHUP;
	}
	if (mode != LINUX_O_RDONLY) {
		ready |= held < PIPE_SIZE ? LINUX_POLLOUT : 0;
		ready |= pipe_ends(f->data, PIPE_READER) ? 0 : LINUX_POLLERR;
	}
	return ready;
}

static void pipe_file_release(struct linux_file *f)
{
	pipe_close(f->data, (f->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY ? PIPE_READER
									  : PIPE_WRITER);
}

static const struct linux_file_ops pipe_ops = {
	.read = pipe_file_read,
	.write = pipe_file_write,
	.stat = pipe_file_stat,
	.ioctl = pipe_file_ioctl,
	.poll = pipe_file_poll,
	.release = pipe_file_release,
};

/* The ends a file opened with flags (an accmode, not 3) holds. */
static bool has_reader(uint32_t flags)
{
	return (flags & LINUX_O_ACCMODE) != LINUX_O_WRONLY;
}

static bool has_writer(uint32_t flags)
{
	return (flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
}

/* Close the ends flags holds of fi's pipe; the last file drops the pipe. */
static void fifo_close(struct linux_fifo *fi, uint32_t flags)
{
	bool irq = plat_spin_lock(&fifo_lock);

	if (has_reader(flags))
		pipe_close(fi->pipe, PIPE_READER);
	if (has_writer(flags))
		pipe_close(fi->pipe, PIPE_WRITER); /* the pipe is freed with its last end */
	if (!--fi->files)
		fi->pipe = NULL;
	plat_spin_unlock(&fifo_lock, irq);
}

static struct linux_fifo *file_fifo(const struct linux_file *f)
{
	return (struct linux_fifo *)(uintptr_t)f->node;
}

/* A FIFO's file: data its pipe (as a pipe's), node its struct linux_fifo. */
static long fifo_file_stat(struct linux_file *f, struct linux_stat *st)
{
	linux_tmpfs_node_stat(file_fifo(f)->node, st);
	return 0;
}

static void fifo_file_release(struct linux_file *f)
{
	struct linux_fifo *fi = file_fifo(f);

	fifo_close(fi, f->flags);
	linux_tmpfs_node_put(fi->node);
}

static const struct linux_file_ops fifo_ops = {
	.read = pipe_file_read,
	.write = pipe_file_write,
	.stat = fifo_file_stat,
	.ioctl = pipe_file_ioctl,
	.poll = pipe_file_poll,
	.release = fifo_file_release,
};

/* Open the ends flags asks for under fifo_lock: fi's pipe, made if it has
 * none, or NULL and *err. */
static struct pipe *fifo_take(struct linux_fifo *fi, uint32_t flags, long *err)
{
	bool irq = plat_spin_lock(&fifo_lock);
	struct pipe *p = fi->pipe;

	if (!has_reader(flags) && (flags & LINUX_O_NONBLOCK) &&
	    (!p || !pipe_ends(p, PIPE_READER))) {
		*err = LINUX_ERR(LINUX_ENXIO);
		p = NULL;
	} else if (!p && pipe_create(&p)) {
		*err = LINUX_ERR(LINUX_ENFILE);
		p = NULL;
	} else if (!fi->files) { /* made with one end of each: close what is not asked for */
		if (!has_reader(flags))
			pipe_close(p, PIPE_READER);
		if (!has_writer(flags))
			pipe_close(p, PIPE_WRITER);
	} else {
		if (has_reader(flags))
			pipe_open(p, PIPE_READER);
		if (has_writer(flags))
			pipe_open(p, PIPE_WRITER);
	}
	if (p) {
		fi->pipe = p;
		fi->files++;
	}
	plat_spin_unlock(&fifo_lock, irq);
	return p;
}

struct linux_file *linux_fifo_open(struct linux_proc *lp, struct linux_fifo *fi,
				   uint32_t flags, long *err)
{
	uint32_t acc = flags & LINUX_O_ACCMODE;
	struct linux_file *f;
	struct reading r;
	struct pipe_stop stop = reader_stop(lp, &r);
	struct pipe *p;

	if (acc == LINUX_O_ACCMODE) {
		*err = LINUX_ERR(LINUX_EINVAL);
		return NULL;
	}
	if (!(p = fifo_take(fi, flags, err)))
		return NULL;
	/* One end: wait for the other, unless a reader that must not. */
	if (acc != LINUX_O_RDWR && !(acc == LINUX_O_RDONLY && (flags & LINUX_O_NONBLOCK)) &&
	    pipe_wait_other(p, acc == LINUX_O_RDONLY ? PIPE_READER : PIPE_WRITER,
			    lp->thread ? &stop : NULL)) {
		fifo_close(fi, flags);
		*err = LINUX_ERR(LINUX_ERESTARTSYS);
		return NULL;
	}
	f = linux_file_new(&fifo_ops, flags & ~(uint32_t)(LINUX_O_CREAT | LINUX_O_EXCL |
							  LINUX_O_TRUNC | LINUX_O_CLOEXEC),
			   (uint64_t)(uintptr_t)fi, p);
	if (!f) {
		fifo_close(fi, flags);
		*err = LINUX_ERR(LINUX_ENFILE);
	}
	return f;
}

/* pipe2(int fds[2], flags): O_CLOEXEC, O_NONBLOCK. */
LINUX_CALL(pipe2)
{
	uint32_t nonblock = a[1] & LINUX_O_NONBLOCK;
	bool cloexec = a[1] & LINUX_O_CLOEXEC;
	struct linux_file *r, *w;
	struct pipe *p;
	int fds[2];
	long fd;

	if (a[1] & ~(uint64_t)(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC))
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_check_out(lp, a[0], sizeof fds))
		return LINUX_ERR(LINUX_EFAULT);
	if (pipe_create(&p))
		return LINUX_ERR(LINUX_ENFILE);
	r = linux_file_new(&pipe_ops, LINUX_O_RDONLY | nonblock, 0, p);
	w = r ? linux_file_new(&pipe_ops, LINUX_O_WRONLY | nonblock, 0, p) : NULL;
	if (!w) {
		if (r)
			linux_file_put(r); /* closes the reader */
		else
			pipe_close(p, PIPE_READER);
		pipe_close(p, PIPE_WRITER);
		return LINUX_ERR(LINUX_ENFILE);
	}
	if ((fd = linux_fd_install(lp, r, 0, cloexec)) < 0) {
		linux_file_put(w);
		return fd;
	}
	fds[0] = (int)fd;
	if ((fd = linux_fd_install(lp, w, 0, cloexec)) < 0) {
		linux_file_put(lp->fd[fds[0]]);
		lp->fd[fds[0]] = NULL;
		return fd;
	}
	fds[1] = (int)fd;
	linux_copy_out(lp, a[0], fds, sizeof fds); /* checked writable above */
	return 0;
}

LINUX_CALL(pipe)
{
	const uint64_t b[6] = {a[0], 0};

	return linux_sys_pipe2(lp, b);
}
