/*
 * The boot archive as Linux programs see it: the read-only root (see
 * linux.h). Files and directories are the archive's entries
 * (services/archive.c, core/archive.h); a symbolic link is followed where
 * it is the last component (up to LINKS_MAX links), its target taken
 * against the link's directory. Inode numbers are the entries' ids plus
 * one; owner and group root; times the archive's. The archive never
 * changes, so nothing is locked.
 */
#include "kernel/linux/linux.h"
#include "kernel/linux/vfs.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/archive.h"

#define LINKS_MAX 8

/* The entry at path (absolute, normal), following a link at the end if
 * follow; its own normal path goes into real (LINUX_PATH_MAX bytes). */
static long lookup(const char *path, bool follow, struct archive_entry *e, char *real)
{
	char dir[LINUX_PATH_MAX], target[LINUX_PATH_MAX];
	enum lm_err err;

	if (strlen(path) >= LINUX_PATH_MAX)
		return LINUX_ERR(LINUX_ENAMETOOLONG);
	fmt_snprintf(real, LINUX_PATH_MAX, "%s", path);
	for (int hops = 0;; hops++) {
		size_t n;

		err = archive_lookup(services_archive(), real, e);
		if (err == LM_ERR_INVAL)
			return LINUX_ERR(LINUX_ENOTDIR);
		if (err)
			return LINUX_ERR(LINUX_ENOENT);
		if (!follow || (e->mode & ARCHIVE_S_IFMT) != ARCHIVE_S_IFLNK)
			return 0;
		if (hops == LINKS_MAX)
			return LINUX_ERR(LINUX_ELOOP);
		if (!e->data || e->size >= sizeof target)
			return LINUX_ERR(LINUX_ENOENT);
		memcpy(target, e->data, e->size);
		target[e->size] = 0;
		fmt_snprintf(dir, sizeof dir, "%s", real);
		n = strlen(dir);
		while (n > 1 && dir[n - 1] != '/')
			n--;
		dir[n > 1 ? n - 1 : 1] = 0;
		if (linux_path_resolve(dir, target, real, LINUX_PATH_MAX))
			return LINUX_ERR(LINUX_ENAMETOOLONG);
	}
}

static void fill(const struct archive_entry *e, struct linux_stat *st)
{
	uint32_t type = e->mode & ARCHIVE_S_IFMT;

	*st = (struct linux_stat){
		.dev = LINUX_DEV_ARCHIVE, .ino = e->id + 1,
		.nlink = type == ARCHIVE_S_IFDIR ? 2 : 1,
		.mode = e->mode ? e->mode : (LINUX_S_IFDIR | 0755),
		.size = (int64_t)e->size, .blksize = 4096, .blocks = linux_blocks(e->size),
		.atime = e->mtime, .mtime = e->mtime, .ctime = e->mtime,
	};
	if (!(e->mode & ARCHIVE_S_IFMT))
		st->mode = (e->mode & 07777) | LINUX_S_IFDIR;
}

static long file_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		 uint64_t *off)
{
	size_t got = 0;

	if (archive_read(services_archive(), f->node, *off, buf, len, &got))
		return LINUX_ERR(LINUX_EIO);
	*off += got;
	return (long)got;
}

static long file_stat(struct linux_file *f, struct linux_stat *st)
{
	struct archive_entry e;

	if (archive_get(services_archive(), f->node, &e))
		return LINUX_ERR(LINUX_EIO);
	fill(&e, st);
	return 0;
}

static uint8_t dtype(uint32_t mode)
{
	switch (mode & ARCHIVE_S_IFMT) {
	case ARCHIVE_S_IFDIR: return LINUX_DT_DIR;
	case ARCHIVE_S_IFLNK: return LINUX_DT_LNK;
	default: return LINUX_DT_REG;
	}
}

/* A directory's position is archive_next's cookie; 0 first, and
 * UINT64_MAX once past the last. */
static long dir_getdents(struct linux_file *f, void *buf, uint64_t len, uint64_t *pos)
{
	uint64_t used = 0;

	while (*pos != UINT64_MAX) {
		uint64_t next = *pos;
		struct archive_entry e;
		enum lm_err err = archive_next(services_archive(), f->node, &next, &e);

		if (err == LM_ERR_NOENT) {
			*pos = UINT64_MAX;
			break;
		}
		if (err)
			return LINUX_ERR(LINUX_EIO);
		if (!linux_dirent_put(buf, len, &used, e.id + 1, next, dtype(e.mode), e.name,
				      e.name_len))
			return used ? (long)used : LINUX_ERR(LINUX_EINVAL);
		*pos = next;
	}
	return (long)used;
}

static const struct linux_file_ops file_ops = {
	.read = file_read, .stat = file_stat, .seekable = true,
};
static const struct linux_file_ops dir_ops = {
	.stat = file_stat, .getdents = dir_getdents, .seekable = true,
};

struct linux_file *linux_archfs_open(const char *path, uint32_t flags, long *err)
{
	char real[LINUX_PATH_MAX];
	struct archive_entry e;
	struct linux_file *f;
	bool dir;

	if ((*err = lookup(path, !(flags & LINUX_O_NOFOLLOW), &e, real))) {
		if (*err == LINUX_ERR(LINUX_ENOENT) && (flags & LINUX_O_CREAT))
			*err = LINUX_ERR(LINUX_EROFS);
		return NULL;
	}
	dir = (e.mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFDIR || !e.mode;
	if ((flags & LINUX_O_CREAT) && (flags & LINUX_O_EXCL)) {
		*err = LINUX_ERR(LINUX_EEXIST);
		return NULL;
	}
	if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY || (flags & LINUX_O_TRUNC)) {
		*err = LINUX_ERR(dir ? LINUX_EISDIR : LINUX_EROFS);
		return NULL;
	}
	if ((flags & LINUX_O_DIRECTORY) && !dir) {
		*err = LINUX_ERR(LINUX_ENOTDIR);
		return NULL;
	}
	if ((e.mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFLNK) {
		*err = LINUX_ERR(LINUX_ELOOP); /* O_NOFOLLOW on a link */
		return NULL;
	}
	f = linux_file_new(dir ? &dir_ops : &file_ops, flags, e.id, NULL);
	if (!f)
		*err = LINUX_ERR(LINUX_ENFILE);
	return f;
}

long linux_archfs_stat(const char *path, bool follow, struct linux_stat *st)
{
	char real[LINUX_PATH_MAX];
	struct archive_entry e;
	long err = lookup(path, follow, &e, real);

	if (err)
		return err;
	fill(&e, st);
	return 0;
}

long linux_archfs_readlink(const char *path, char *buf, size_t cap)
{
	char real[LINUX_PATH_MAX];
	struct archive_entry e;
	long err = lookup(path, false, &e, real);

	if (err)
		return err;
	if ((e.mode & ARCHIVE_S_IFMT) != ARCHIVE_S_IFLNK)
		return LINUX_ERR(LINUX_EINVAL);
	if (e.size < cap)
		cap = e.size;
	memcpy(buf, e.data, cap);
	return (long)cap;
}

enum lm_err linux_archfs_bytes(const char *path, const uint8_t **data, uint64_t *size)
{
	char real[LINUX_PATH_MAX];
	struct archive_entry e;
	long err = lookup(path, true, &e, real);

	if (err)
		return err == LINUX_ERR(LINUX_ENOENT) ? LM_ERR_NOENT : LM_ERR_INVAL;
	if ((e.mode & ARCHIVE_S_IFMT) != ARCHIVE_S_IFREG || !e.data || !e.size)
		return LM_ERR_FORMAT;
	*data = e.data;
	*size = e.size;
	return LM_OK;
}
