/*
 * /tmp: a writable directory tree in memory (see linux.h), shared by every
 * Linux process, empty at boot.
 *
 * Owns TMPFS_NODES nodes; node 0 is /tmp itself. A node is a directory, a
 * regular file of up to TMPFS_FILE_PAGES pages, each a pmm page taken
 * when first written (a page never written reads as zeros), or a named
 * pipe (mknod), whose open files pipe.c makes (linux_fifo_open). A node is
 * named by its path below /tmp ("/a/b"); a directory's entries are the
 * nodes one component below it. Unlinking removes the name at once; the
 * node and its pages go back when the last open file on it is closed,
 * as on Linux.
 *
 * Locking: tmp_lock (interrupts off) guards every node; reads and writes
 * copy at most LINUX_BUF bytes under it.
 */
#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/vfs.h"
#include "kernel/pmm.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define TMPFS_NODES 128
#define TMPFS_FILE_PAGES 256 /* 1 MiB a file */
#define TMPFS_INO_BASE 0x20000

struct node {
	bool used, dir, unlinked, fifo;
	uint32_t opens, mode;
	uint64_t size, mtime;
	char path[LINUX_PATH_MAX];
	uint64_t pages[TMPFS_FILE_PAGES];
	struct linux_fifo pipe; /* a named pipe's (fifo) */
};

static struct node nodes[TMPFS_NODES] = {[0] = {.used = true, .dir = true, .mode = 01777}};
static struct spinlock tmp_lock = SPINLOCK_INIT;

static int find(const char *rest) /* under tmp_lock */
{
	for (int i = 0; i < TMPFS_NODES; i++)
		if (nodes[i].used && !nodes[i].unlinked && !strcmp(nodes[i].path, rest))
			return i;
	return -1;
}

/* Whether rest's directory exists: 0, -ENOENT or -ENOTDIR. */
static long parent_ok(const char *rest) /* under tmp_lock */
{
	char dir[LINUX_PATH_MAX];
	size_t n = strlen(rest);
	int i;

	while (n && rest[n - 1] != '/')
		n--;
	memcpy(dir, rest, n ? n - 1 : 0);
	dir[n ? n - 1 : 0] = 0;
	i = find(dir);
	if (i < 0)
		return LINUX_ERR(LINUX_ENOENT);
	return nodes[i].dir ? 0 : LINUX_ERR(LINUX_ENOTDIR);
}

static void free_pages(struct node *n) /* under tmp_lock */
{
	for (int i = 0; i < TMPFS_FILE_PAGES; i++)
		if (n->pages[i]) {
			pmm_free_page(n->pages[i]);
			n->pages[i] = 0;
		}
	n->size = 0;
}

/* A new node at rest; its index or a negated errno. */
static long create(const char *rest, bool dir, uint32_t mode) /* under tmp_lock */
{
	long err = parent_ok(rest);

	if (err)
		return err;
	if (strlen(rest) >= LINUX_PATH_MAX)
		return LINUX_ERR(LINUX_ENAMETOOLONG);
	for (int i = 1; i < TMPFS_NODES; i++)
		if (!nodes[i].used) {
			struct node *n = &nodes[i];

			n->used = true;
			n->dir = dir;
			n->unlinked = n->fifo = false;
			n->opens = 0;
			n->mode = mode & 07777;
			n->size = 0;
			n->mtime = linux_realtime_ns() / 1000000000;
			fmt_snprintf(n->path, sizeof n->path, "%s", rest);
			return i;
		}
	return LINUX_ERR(LINUX_ENOSPC);
}

static uint32_t type(const struct node *n)
{
	return n->dir ? LINUX_S_IFDIR : n->fifo ? LINUX_S_IFIFO : LINUX_S_IFREG;
}

static void fill(int i, struct linux_stat *st) /* under tmp_lock */
{
	const struct node *n = &nodes[i];

	*st = (struct linux_stat){
		.dev = LINUX_DEV_TMP, .ino = TMPFS_INO_BASE + (uint64_t)i, .nlink = n->dir ? 2 : 1,
		.mode = type(n) | n->mode,
		.size = (int64_t)n->size, .blksize = 4096, .blocks = linux_blocks(n->size),
		.atime = n->mtime, .mtime = n->mtime, .ctime = n->mtime,
	};
}

static long file_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		 uint64_t *off)
{
	bool irq = plat_spin_lock(&tmp_lock);
	struct node *n = &nodes[f->node];
	uint64_t done = 0;

	while (done < len && *off < n->size) {
		uint64_t page = *off / PAGE_SIZE, in = *off % PAGE_SIZE;
		uint64_t chunk = PAGE_SIZE - in;

		if (chunk > len - done)
			chunk = len - done;
		if (chunk > n->size - *off)
			chunk = n->size - *off;
		if (n->pages[page])
			memcpy((uint8_t *)buf + done, (uint8_t *)phys_to_virt(n->pages[page]) + in, chunk);
		else
			memset((uint8_t *)buf + done, 0, chunk);
		done += chunk;
		*off += chunk;
	}
	plat_spin_unlock(&tmp_lock, irq);
	return (long)done;
}

static long file_write(struct linux_file *f, const void *buf, uint64_t len, uint64_t *off)
{
	bool irq = plat_spin_lock(&tmp_lock);
	struct node *n = &nodes[f->node];
	uint64_t done = 0;
	long err = 0;

	if (f->flags & LINUX_O_APPEND)
		*off = n->size;
	while (done < len) {
		uint64_t page = *off / PAGE_SIZE, in = *off % PAGE_SIZE;
		uint64_t chunk = PAGE_SIZE - in;

		if (chunk > len - done)
			chunk = len - done;
		if (page >= TMPFS_FILE_PAGES) {
			err = LINUX_ERR(LINUX_EFBIG);
			break;
		}
		if (!n->pages[page] && !(n->pages[page] = pmm_alloc_zeroed_page())) {
			err = LINUX_ERR(LINUX_ENOSPC);
			break;
		}
		memcpy((uint8_t *)phys_to_virt(n->pages[page]) + in, (const uint8_t *)buf + done, chunk);
		done += chunk;
		*off += chunk;
		if (*off > n->size)
			n->size = *off;
	}
	if (done)
		n->mtime = linux_realtime_ns() / 1000000000;
	plat_spin_unlock(&tmp_lock, irq);
	return done ? (long)done : err;
}

void linux_tmpfs_node_stat(uint64_t i, struct linux_stat *st)
{
	bool irq = plat_spin_lock(&tmp_lock);

	fill((int)i, st);
	plat_spin_unlock(&tmp_lock, irq);
}

static long file_stat(struct linux_file *f, struct linux_stat *st)
{
	linux_tmpfs_node_stat(f->node, st);
	return 0;
}

/* Whether node i's name is one component below directory d's. */
static bool child_of(int i, int d) /* under tmp_lock */
{
	const char *rest;

	if (i == d || !nodes[i].used || nodes[i].unlinked)
		return false;
	if (!d)
		rest = nodes[i].path;
	else if (!linux_path_under(nodes[i].path, nodes[d].path, &rest) || !*rest)
		return false;
	return rest[0] == '/' && !strchr(rest + 1, '/');
}

/* Position: the next node index to look at. */
static long dir_getdents(struct linux_file *f, void *buf, uint64_t len, uint64_t *pos)
{
	bool irq = plat_spin_lock(&tmp_lock);
	uint64_t used = 0;
	long ret;

	for (; *pos < TMPFS_NODES; (*pos)++) {
		const char *name;
		int i = (int)*pos;

		if (!child_of(i, (int)f->node))
			continue;
		name = strrchr(nodes[i].path, '/') + 1;
		if (!linux_dirent_put(buf, len, &used, TMPFS_INO_BASE + *pos, *pos + 1,
				      nodes[i].dir ? LINUX_DT_DIR
				      : nodes[i].fifo ? LINUX_DT_FIFO : LINUX_DT_REG,
				      name, strlen(name)))
			break;
	}
	ret = *pos < TMPFS_NODES && !used ? LINUX_ERR(LINUX_EINVAL) : (long)used;
	plat_spin_unlock(&tmp_lock, irq);
	return ret;
}

void linux_tmpfs_node_put(uint64_t i)
{
	bool irq = plat_spin_lock(&tmp_lock);
	struct node *n = &nodes[i];

	if (!--n->opens && n->unlinked) {
		free_pages(n);
		n->used = false;
	}
	plat_spin_unlock(&tmp_lock, irq);
}

static void release(struct linux_file *f)
{
	linux_tmpfs_node_put(f->node);
}

static const struct linux_file_ops file_ops = {
	.read = file_read, .write = file_write, .stat = file_stat, .release = release,
	.seekable = true,
};
static const struct linux_file_ops dir_ops = {
	.stat = file_stat, .getdents = dir_getdents, .release = release, .seekable = true,
};

struct linux_file *linux_tmpfs_open(struct linux_proc *lp, const char *rest, uint32_t flags,
				    uint32_t mode, long *err)
{
	bool irq = plat_spin_lock(&tmp_lock), wr = (flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
	long i = find(rest);
	struct linux_file *f = NULL;
	bool dir = false, fifo = false;

	*err = 0;
	if (i < 0 && (flags & LINUX_O_CREAT))
		i = create(rest, false, mode);
	else if (i < 0)
		i = LINUX_ERR(LINUX_ENOENT);
	else if ((flags & LINUX_O_CREAT) && (flags & LINUX_O_EXCL))
		i = LINUX_ERR(LINUX_EEXIST);
	if (i < 0) {
		*err = i;
	} else if (nodes[i].dir && (wr || (flags & LINUX_O_TRUNC))) {
		*err = LINUX_ERR(LINUX_EISDIR);
	} else if (!nodes[i].dir && (flags & LINUX_O_DIRECTORY)) {
		*err = LINUX_ERR(LINUX_ENOTDIR);
	} else {
		if (wr && (flags & LINUX_O_TRUNC))
			free_pages(&nodes[i]); /* a named pipe has none */
		nodes[i].opens++;
		dir = nodes[i].dir;
		fifo = nodes[i].fifo;
	}
	plat_spin_unlock(&tmp_lock, irq);
	if (*err)
		return NULL;
	if (fifo) /* may wait: the node stays, counted open */
		f = linux_fifo_open(lp, &nodes[i].pipe, flags, err);
	else if (!(f = linux_file_new(dir ? &dir_ops : &file_ops, flags, (uint64_t)i, NULL)))
		*err = LINUX_ERR(LINUX_ENFILE);
	if (!f)
		linux_tmpfs_node_put((uint64_t)i);
	return f;
}

long linux_tmpfs_stat(const char *rest, struct linux_stat *st)
{
	bool irq = plat_spin_lock(&tmp_lock);
	int i = find(rest);

	if (i >= 0)
		fill(i, st);
	plat_spin_unlock(&tmp_lock, irq);
	return i < 0 ? LINUX_ERR(LINUX_ENOENT) : 0;
}

long linux_tmpfs_unlink(const char *rest, bool dir)
{
	bool irq = plat_spin_lock(&tmp_lock);
	int i = find(rest);
	long err = 0;

	if (i < 0)
		err = LINUX_ERR(LINUX_ENOENT);
	else if (!i)
		err = LINUX_ERR(LINUX_EBUSY);
	else if (nodes[i].dir != dir)
		err = LINUX_ERR(dir ? LINUX_ENOTDIR : LINUX_EISDIR);
	for (int c = 0; !err && dir && c < TMPFS_NODES; c++)
		if (child_of(c, i))
			err = LINUX_ERR(LINUX_ENOTEMPTY);
	if (!err) {
		nodes[i].unlinked = true;
		if (!nodes[i].opens) {
			free_pages(&nodes[i]);
			nodes[i].used = false;
		}
	}
	plat_spin_unlock(&tmp_lock, irq);
	return err;
}

long linux_tmpfs_touch(const char *rest, uint64_t mtime)
{
	bool irq = plat_spin_lock(&tmp_lock);
	int i = find(rest);

	if (i >= 0)
		nodes[i].mtime = mtime;
	plat_spin_unlock(&tmp_lock, irq);
	return i < 0 ? LINUX_ERR(LINUX_ENOENT) : 0;
}

/* A new directory, named pipe or empty file at rest: 0 or -errno. */
static long make(const char *rest, bool dir, bool fifo, uint32_t mode)
{
	bool irq = plat_spin_lock(&tmp_lock);
	long i = find(rest) >= 0 ? LINUX_ERR(LINUX_EEXIST) : create(rest, dir, mode);

	if (i >= 0 && fifo) {
		nodes[i].fifo = true;
		nodes[i].pipe = (struct linux_fifo){.node = (uint64_t)i};
	}
	plat_spin_unlock(&tmp_lock, irq);
	return i < 0 ? i : 0;
}

long linux_tmpfs_mknod(const char *rest, bool fifo, uint32_t mode)
{
	return make(rest, false, fifo, mode);
}

long linux_tmpfs_mkdir(const char *rest, uint32_t mode)
{
	return make(rest, true, false, mode);
}
