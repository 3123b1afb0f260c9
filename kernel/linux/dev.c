/*
 * /dev: the console, null, zero, random and urandom (see linux.h).
 *
 * The console is the kernel's serial console: a write goes to it whole
 * (console_write: one atomic call per chunk); a read waits for the first
 * byte typed (polling the serial line every 10 ms, as the kernel shell
 * does; giving up if the process is killed meanwhile) and returns those
 * that came with it. It answers TCGETS (a
 * terminal in its usual cooked settings) and TIOCGWINSZ (24 by 80), so
 * programs take it for the terminal it is; other requests get ENOTTY, as
 * do all on the other nodes. No state but the file's own: no locking.
 */
#include "arch/serial.h"
#include "core/timer.h"
#include "kernel/console.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/vfs.h"
#include "lib/string.h"

enum { DEV_CONSOLE, DEV_TTY, DEV_NULL, DEV_ZERO, DEV_RANDOM, DEV_URANDOM, DEV_COUNT };

static const struct {
	const char *name;
	uint32_t major, minor;
} nodes[DEV_COUNT] = {
	[DEV_CONSOLE] = {"console", 5, 1}, [DEV_TTY] = {"tty", 5, 0},
	[DEV_NULL] = {"null", 1, 3}, [DEV_ZERO] = {"zero", 1, 5},
	[DEV_RANDOM] = {"random", 1, 8}, [DEV_URANDOM] = {"urandom", 1, 9},
};

#define DEV_INO_BASE 0x10000 /* inode numbers: the node's index past this */

static void stat_node(int i, struct linux_stat *st)
{
	*st = (struct linux_stat){
		.dev = LINUX_DEV_DEV, .ino = DEV_INO_BASE + (uint64_t)i, .nlink = 1,
		.mode = LINUX_S_IFCHR | 0666,
		.rdev = (uint64_t)nodes[i].major << 8 | nodes[i].minor, .blksize = 4096,
	};
	if (i == DEV_CONSOLE)
		st->mode = LINUX_S_IFCHR | 0600;
}

static long node_stat(struct linux_file *f, struct linux_stat *st)
{
	stat_node((int)f->node, st);
	return 0;
}

static long tty_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		 uint64_t *off)
{
	uint8_t *b = buf;
	uint64_t n = 0;
	int c;

	while ((c = serial_getc()) < 0) {
		if (linux_proc_gone(lp))
			return LINUX_ERR(LINUX_EINTR);
		if (lp->thread && untrusted_signalled(lp->thread))
			return LINUX_ERR(LINUX_ERESTARTSYS);
		timer_sleep_ns(10000000);
	}
	do {
		b[n++] = (uint8_t)(c == '\r' ? '\n' : c);
	} while (n < len && c != '\r' && c != '\n' && (c = serial_getc()) >= 0);
	return (long)n;
}

static long tty_write(struct linux_file *f, const void *buf, uint64_t len, uint64_t *off)
{
	console_write((const char *)buf, len);
	return (long)len;
}

static long console_ioctl(struct linux_file *f, struct linux_proc *lp, uint64_t req,
			  uint64_t arg)
{
	if (req == LINUX_TCGETS) {
		/* struct termios: iflag ICRNL, oflag OPOST|ONLCR, cflag B38400|CS8|
		 * CREAD, lflag ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE,
		 * line 0, then control characters (^C ^\ DEL ^U ^D). */
		uint8_t t[36] = {0};
		const uint32_t flags[4] = {0x100, 0x5, 0xbf, 0x8a3b};
		const uint8_t cc[] = {3, 28, 127, 21, 4, 0, 1};

		memcpy(t, flags, sizeof flags);
		memcpy(t + 17, cc, sizeof cc);
		return linux_copy_out(lp, arg, t, sizeof t);
	}
	if (req == LINUX_TIOCGWINSZ) {
		const uint16_t ws[4] = {24, 80, 0, 0};

		return linux_copy_out(lp, arg, ws, sizeof ws);
	}
	if (req == LINUX_TIOCGPGRP) {
		const int32_t pgrp = (int32_t)lp->pid;

		return linux_copy_out(lp, arg, &pgrp, sizeof pgrp);
	}
	return LINUX_ERR(LINUX_ENOTTY);
}

static long null_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		 uint64_t *off)
{
	return 0;
}

static long sink_write(struct linux_file *f, const void *buf, uint64_t len, uint64_t *off)
{
	return (long)len;
}

static long zero_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		 uint64_t *off)
{
	memset(buf, 0, len);
	return (long)len;
}

static long random_read(struct linux_proc *lp, struct linux_file *f, void *buf, uint64_t len,
		 uint64_t *off)
{
	linux_random(buf, len);
	return (long)len;
}

static const struct linux_file_ops console_ops = {
	.read = tty_read, .write = tty_write, .stat = node_stat, .ioctl = console_ioctl,
};
static const struct linux_file_ops null_ops = {
	.read = null_read, .write = sink_write, .stat = node_stat, .seekable = true,
};
static const struct linux_file_ops zero_ops = {
	.read = zero_read, .write = sink_write, .stat = node_stat, .seekable = true,
};
static const struct linux_file_ops random_ops = {
	.read = random_read, .write = sink_write, .stat = node_stat,
};

static const struct linux_file_ops *const ops_of[DEV_COUNT] = {
	[DEV_CONSOLE] = &console_ops, [DEV_TTY] = &console_ops, [DEV_NULL] = &null_ops,
	[DEV_ZERO] = &zero_ops, [DEV_RANDOM] = &random_ops, [DEV_URANDOM] = &random_ops,
};

struct linux_file *linux_console_open(void)
{
	return linux_file_new(&console_ops, LINUX_O_RDWR, DEV_CONSOLE, NULL);
}

static int find(const char *rest)
{
	for (int i = 0; i < DEV_COUNT; i++)
		if (rest[0] == '/' && !strcmp(rest + 1, nodes[i].name))
			return i;
	return -1;
}

/* /dev itself: a directory of the nodes. */
static long dir_stat(struct linux_file *f, struct linux_stat *st)
{
	return linux_dev_stat("", st);
}

static long dir_getdents(struct linux_file *f, void *buf, uint64_t len, uint64_t *pos)
{
	uint64_t used = 0;

	for (; *pos < DEV_COUNT; (*pos)++)
		if (!linux_dirent_put(buf, len, &used, DEV_INO_BASE + *pos, *pos + 1,
				      LINUX_DT_CHR, nodes[*pos].name, strlen(nodes[*pos].name)))
			break;
	return *pos < DEV_COUNT && !used ? LINUX_ERR(LINUX_EINVAL) : (long)used;
}

static const struct linux_file_ops dir_ops = {.stat = dir_stat, .getdents = dir_getdents};

struct linux_file *linux_dev_open(const char *rest, uint32_t flags, long *err)
{
	int i = find(rest);
	struct linux_file *f;

	if (!*rest) {
		if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY) {
			*err = LINUX_ERR(LINUX_EISDIR);
			return NULL;
		}
		f = linux_file_new(&dir_ops, flags, 0, NULL);
	} else if (i < 0) {
		*err = LINUX_ERR(flags & LINUX_O_CREAT ? LINUX_EROFS : LINUX_ENOENT);
		return NULL;
	} else {
		if (flags & LINUX_O_DIRECTORY) {
			*err = LINUX_ERR(LINUX_ENOTDIR);
			return NULL;
		}
		f = linux_file_new(ops_of[i], flags, (uint64_t)i, NULL);
	}
	if (!f)
		*err = LINUX_ERR(LINUX_ENFILE);
	return f;
}

long linux_dev_stat(const char *rest, struct linux_stat *st)
{
	int i = find(rest);

	if (!*rest) {
		*st = (struct linux_stat){.dev = LINUX_DEV_DEV, .ino = DEV_INO_BASE - 1, .nlink = 2,
					  .mode = LINUX_S_IFDIR | 0755, .blksize = 4096};
		return 0;
	}
	if (i < 0)
		return LINUX_ERR(LINUX_ENOENT);
	stat_node(i, st);
	return 0;
}
