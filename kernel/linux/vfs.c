/*
 * Path names onto the personality's file systems, and the calls that take
 * a path (see linux.h).
 *
 * A path is made absolute against the process's working directory
 * (path.c), then goes to:
 *   /tmp and below    tmpfs.c: in memory, writable
 *   /dev and below    dev.c: console, null, zero, random, urandom, tty
 *   /proc/self/exe    a symbolic link to the program's own path
 *   anything else     archfs.c: the boot archive, read-only (EROFS)
 * Named pipes are made in /tmp only (mknod; pipe.c serves their files).
 * A path relative to a descriptor other than AT_FDCWD is not served
 * (EOPNOTSUPP): files do not remember their paths.
 *
 * The process's state only: no locking here (the file systems lock their
 * own).
 */
#include "kernel/linux/linux.h"
#include "kernel/linux/vfs.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define LINUX_EOPNOTSUPP 95
#define EXE_LINK "/proc/self/exe"

enum where { IN_ARCHIVE, IN_TMP, IN_DEV, IS_EXE };

static enum where where(const char *path, const char **rest)
{
	if (linux_path_under(path, "/tmp", rest))
		return IN_TMP;
	if (linux_path_under(path, "/dev", rest))
		return IN_DEV;
	*rest = path;
	return strcmp(path, EXE_LINK) ? IN_ARCHIVE : IS_EXE;
}

bool linux_dirent_put(void *buf, uint64_t len, uint64_t *used, uint64_t ino, uint64_t next,
		      uint8_t type, const char *name, size_t nlen)
{
	uint64_t reclen = (LINUX_DIRENT64_NAME + nlen + 1 + 7) & ~7ull;
	struct linux_dirent64 d = {.ino = ino, .off = (int64_t)next, .reclen = (uint16_t)reclen,
				   .type = type};
	uint8_t *at = (uint8_t *)buf + *used;

	if (len - *used < reclen || reclen > 0xffff)
		return false;
	memset(at, 0, reclen);
	memcpy(at, &d, sizeof d);
	memcpy(at + LINUX_DIRENT64_NAME, name, nlen);
	*used += reclen;
	return true;
}

int64_t linux_blocks(uint64_t size)
{
	return (int64_t)((size + 4095) / 4096 * 8);
}

/* The program's path argument at upath, relative to dirfd, resolved into
 * lp->path: 0 or a negated errno. An empty path is ENOENT unless
 * empty_ok (AT_EMPTY_PATH), when lp->path is left empty. */
static long path_arg(struct linux_proc *lp, long dirfd, uint64_t upath, bool empty_ok)
{
	char *raw = (char *)lp->buf;
	long n = linux_copy_string(lp, raw, upath, LINUX_PATH_MAX);
	enum lm_err err;

	if (n < 0)
		return n;
	if (!n && empty_ok) {
		lp->path[0] = 0;
		return 0;
	}
	if (n && raw[0] != '/' && (int)dirfd != LINUX_AT_FDCWD)
		return LINUX_ERR(linux_fd_file(lp, dirfd) ? LINUX_EOPNOTSUPP : LINUX_EBADF);
	err = linux_path_resolve(lp->cwd, raw, lp->path, sizeof lp->path);
	if (err == LM_ERR_NOENT)
		return LINUX_ERR(LINUX_ENOENT);
	return err ? LINUX_ERR(LINUX_ENAMETOOLONG) : 0;
}

struct linux_file *linux_vfs_open(struct linux_proc *lp, const char *path, uint32_t flags,
				  uint32_t mode, long *err)
{
	const char *rest;

	switch (where(path, &rest)) {
	case IN_TMP:
		return linux_tmpfs_open(lp, rest, flags, mode & ~lp->umask, err);
	case IN_DEV:
		return linux_dev_open(rest, flags, err);
	case IS_EXE:
		return linux_archfs_open(lp->exe, flags, err);
	default:
		return linux_archfs_open(path, flags, err);
	}
}

/* stat of lp->path, following a last symbolic link if follow. */
static long stat_path(struct linux_proc *lp, bool follow, struct linux_stat *st)
{
	const char *rest;

	switch (where(lp->path, &rest)) {
	case IN_TMP:
		return linux_tmpfs_stat(rest, st);
	case IN_DEV:
		return linux_dev_stat(rest, st);
	case IS_EXE:
		if (follow)
			return linux_archfs_stat(lp->exe, true, st);
		*st = (struct linux_stat){.dev = 4, .ino = 1, .nlink = 1,
					  .mode = LINUX_S_IFLNK | 0777,
					  .size = (int64_t)strlen(lp->exe), .blksize = 4096};
		return 0;
	default:
		return linux_archfs_stat(lp->path, follow, st);
	}
}

static long do_open(struct linux_proc *lp, long dirfd, uint64_t upath, uint64_t flags,
		    uint64_t mode)
{
	struct linux_file *f;
	long err = path_arg(lp, dirfd, upath, false);

	if (err)
		return err;
	if (!(f = linux_vfs_open(lp, lp->path, (uint32_t)flags, (uint32_t)mode, &err)))
		return err;
	return linux_fd_install(lp, f, 0, flags & LINUX_O_CLOEXEC);
}

LINUX_CALL(open)
{
	return do_open(lp, LINUX_AT_FDCWD, a[0], a[1], a[2]);
}

LINUX_CALL(openat)
{
	return do_open(lp, (long)a[0], a[1], a[2], a[3]);
}

static long do_stat(struct linux_proc *lp, long dirfd, uint64_t upath, uint64_t ust,
		    uint64_t flags)
{
	struct linux_stat st = {0};
	long err = path_arg(lp, dirfd, upath, flags & LINUX_AT_EMPTY_PATH);

	if (err)
		return err;
	if (!lp->path[0]) { /* AT_EMPTY_PATH: the descriptor itself */
		struct linux_file *f = linux_fd_file(lp, dirfd);

		if ((int)dirfd == LINUX_AT_FDCWD) {
			fmt_snprintf(lp->path, sizeof lp->path, "%s", lp->cwd);
			err = stat_path(lp, true, &st);
		} else if (!f) {
			return LINUX_ERR(LINUX_EBADF);
		} else {
			err = f->ops->stat(f, &st);
		}
	} else {
		err = stat_path(lp, !(flags & LINUX_AT_SYMLINK_NOFOLLOW), &st);
	}
	return err ? err : linux_copy_out(lp, ust, &st, sizeof st);
}

LINUX_CALL(stat)
{
	return do_stat(lp, LINUX_AT_FDCWD, a[0], a[1], 0);
}

LINUX_CALL(lstat)
{
	return do_stat(lp, LINUX_AT_FDCWD, a[0], a[1], LINUX_AT_SYMLINK_NOFOLLOW);
}

LINUX_CALL(newfstatat)
{
	return do_stat(lp, (long)a[0], a[1], a[2], a[3]);
}

/* access: whether the file exists; writing anything outside /tmp and /dev
 * is EROFS. Everyone is root, so no other check. */
static long do_access(struct linux_proc *lp, long dirfd, uint64_t upath, uint64_t mode)
{
	struct linux_stat st;
	const char *rest;
	long err = path_arg(lp, dirfd, upath, false);

	if (err || (err = stat_path(lp, true, &st)))
		return err;
	if ((mode & 2) && where(lp->path, &rest) == IN_ARCHIVE)
		return LINUX_ERR(LINUX_EROFS);
	if ((mode & 1) && !(st.mode & 0111) && (st.mode & LINUX_S_IFMT) != LINUX_S_IFDIR)
		return LINUX_ERR(LINUX_EACCES);
	return 0;
}

LINUX_CALL(access)
{
	return do_access(lp, LINUX_AT_FDCWD, a[0], a[1]);
}

LINUX_CALL(faccessat)
{
	return do_access(lp, (long)a[0], a[1], a[2]);
}

LINUX_CALL(faccessat2)
{
	return do_access(lp, (long)a[0], a[1], a[2]);
}

static long do_readlink(struct linux_proc *lp, long dirfd, uint64_t upath, uint64_t ubuf,
			uint64_t len)
{
	const char *rest;
	long n, err = path_arg(lp, dirfd, upath, false);
	char *out = (char *)lp->buf;

	if (err)
		return err;
	if ((int64_t)len <= 0)
		return LINUX_ERR(LINUX_EINVAL);
	switch (where(lp->path, &rest)) {
	case IS_EXE:
		n = (long)strlen(lp->exe);
		memcpy(out, lp->exe, (size_t)n);
		break;
	case IN_ARCHIVE:
		n = linux_archfs_readlink(lp->path, out, LINUX_BUF);
		break;
	default:
		n = stat_path(lp, false, (struct linux_stat *)lp->buf);
		n = n ? n : LINUX_ERR(LINUX_EINVAL);
		break;
	}
	if (n < 0)
		return n;
	if ((uint64_t)n > len)
		n = (long)len;
	return linux_copy_out(lp, ubuf, out, (uint64_t)n) ?: n;
}

LINUX_CALL(readlink)
{
	return do_readlink(lp, LINUX_AT_FDCWD, a[0], a[1], a[2]);
}

LINUX_CALL(readlinkat)
{
	return do_readlink(lp, (long)a[0], a[1], a[2], a[3]);
}

LINUX_CALL(getcwd)
{
	uint64_t n = strlen(lp->cwd) + 1;

	if (a[1] < n)
		return LINUX_ERR(LINUX_ERANGE);
	return linux_copy_out(lp, a[0], lp->cwd, n) ?: (long)n;
}

LINUX_CALL(chdir)
{
	struct linux_stat st;
	long err = path_arg(lp, LINUX_AT_FDCWD, a[0], false);

	if (err || (err = stat_path(lp, true, &st)))
		return err;
	if ((st.mode & LINUX_S_IFMT) != LINUX_S_IFDIR)
		return LINUX_ERR(LINUX_ENOTDIR);
	fmt_snprintf(lp->cwd, sizeof lp->cwd, "%s", lp->path);
	return 0;
}

/* The path argument resolved into lp->path: 1 (and *rest) if it lies in
 * /tmp, the one writable tree, 0 if elsewhere, or a negated errno. */
static long tmp_path(struct linux_proc *lp, long dirfd, uint64_t upath, const char **rest)
{
	long err = path_arg(lp, dirfd, upath, false);

	return err ? err : where(lp->path, rest) == IN_TMP;
}

/* unlink, rmdir: in /tmp only; elsewhere the file is there but read-only. */
static long do_unlink(struct linux_proc *lp, long dirfd, uint64_t upath, bool dir)
{
	struct linux_stat st;
	const char *rest;
	long in = tmp_path(lp, dirfd, upath, &rest);

	if (in)
		return in < 0 ? in : linux_tmpfs_unlink(rest, dir);
	in = stat_path(lp, false, &st);
	return in ? in : LINUX_ERR(LINUX_EROFS);
}

LINUX_CALL(unlink)
{
	return do_unlink(lp, LINUX_AT_FDCWD, a[0], false);
}

LINUX_CALL(rmdir)
{
	return do_unlink(lp, LINUX_AT_FDCWD, a[0], true);
}

LINUX_CALL(unlinkat)
{
	if (a[2] & ~(uint64_t)LINUX_AT_REMOVEDIR)
		return LINUX_ERR(LINUX_EINVAL);
	return do_unlink(lp, (long)a[0], a[1], a[2] & LINUX_AT_REMOVEDIR);
}

static long do_mkdir(struct linux_proc *lp, long dirfd, uint64_t upath, uint64_t mode)
{
	struct linux_stat st;
	const char *rest;
	long in = tmp_path(lp, dirfd, upath, &rest);

	if (in)
		return in < 0 ? in : linux_tmpfs_mkdir(rest, (uint32_t)mode & ~lp->umask);
	return stat_path(lp, false, &st) ? LINUX_ERR(LINUX_EROFS) : LINUX_ERR(LINUX_EEXIST);
}

LINUX_CALL(mkdir)
{
	return do_mkdir(lp, LINUX_AT_FDCWD, a[0], a[1]);
}

LINUX_CALL(mkdirat)
{
	return do_mkdir(lp, (long)a[0], a[1], a[2]);
}

/*
 * mknod: in /tmp, a named pipe (S_IFIFO: pipe.c's) or an empty regular
 * file (S_IFREG or no type). What cannot be made here is EPERM (devices,
 * sockets; a directory, as on Linux); an unknown type EINVAL, before the
 * path is looked at, as on Linux. Elsewhere EEXIST or EROFS, as mkdir.
 */
static long do_mknod(struct linux_proc *lp, long dirfd, uint64_t upath, uint64_t mode)
{
	uint32_t type = (uint32_t)mode & LINUX_S_IFMT;
	bool makes = type == 0 || type == LINUX_S_IFREG || type == LINUX_S_IFIFO;
	struct linux_stat st;
	const char *rest;
	long in;

	if (!makes && type != LINUX_S_IFCHR && type != LINUX_S_IFBLK && type != LINUX_S_IFSOCK &&
	    type != LINUX_S_IFDIR)
		return LINUX_ERR(LINUX_EINVAL);
	if (type == LINUX_S_IFDIR)
		return LINUX_ERR(LINUX_EPERM);
	if ((in = tmp_path(lp, dirfd, upath, &rest)) < 0)
		return in;
	if (!in)
		return stat_path(lp, false, &st) ? LINUX_ERR(LINUX_EROFS) : LINUX_ERR(LINUX_EEXIST);
	if (!makes)
		return linux_tmpfs_stat(rest, &st) ? LINUX_ERR(LINUX_EPERM) : LINUX_ERR(LINUX_EEXIST);
	return linux_tmpfs_mknod(rest, type == LINUX_S_IFIFO, (uint32_t)mode & ~lp->umask);
}

LINUX_CALL(mknod)
{
	return do_mknod(lp, LINUX_AT_FDCWD, a[0], a[1]);
}

LINUX_CALL(mknodat)
{
	return do_mknod(lp, (long)a[0], a[1], a[2]);
}

/*
 * utimensat(dirfd, path, times, flags): a file's times. Only /tmp's have
 * one to set (the modification time; UTIME_NOW or a given time, UTIME_OMIT
 * leaves it); the archive is read-only (EROFS), /dev's have none to keep
 * (accepted). A NULL path (futimens) is the descriptor's file: accepted
 * as far as it exists, since files do not remember their paths.
 */
LINUX_CALL(utimensat)
{
	enum { UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2 };
	struct linux_timespec ts[2];
	uint64_t mtime = linux_realtime_ns() / 1000000000;
	struct linux_stat st;
	const char *rest;
	long err;

	if (a[2]) {
		if (linux_copy_in(lp, ts, a[2], sizeof ts))
			return LINUX_ERR(LINUX_EFAULT);
		if (ts[1].nsec == UTIME_OMIT)
			return 0;
		if (ts[1].nsec != UTIME_NOW)
			mtime = (uint64_t)ts[1].sec;
	}
	if (!a[1])
		return linux_fd_file(lp, (long)a[0]) ? 0 : LINUX_ERR(LINUX_EBADF);
	if ((err = path_arg(lp, (long)a[0], a[1], false)))
		return err;
	switch (where(lp->path, &rest)) {
	case IN_TMP:
		return linux_tmpfs_touch(rest, mtime);
	case IN_DEV:
		return linux_dev_stat(rest, &st);
	default:
		err = stat_path(lp, !(a[3] & LINUX_AT_SYMLINK_NOFOLLOW), &st);
		return err ? err : LINUX_ERR(LINUX_EROFS);
	}
}
