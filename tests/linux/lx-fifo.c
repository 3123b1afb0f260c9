/*
 * lx-fifo: named pipes as a program sees them, one line per check with the
 * value it got, so that tests/linux-sh.t can run it on Linux and on
 * Lemmings (in the folder holding tmp/) and compare the two outputs:
 * mknod of a FIFO (its stat, EEXIST, a plain file, types refused), opens
 * with O_NONBLOCK (a reader goes on and reads the end, a writer without a
 * reader gets ENXIO), an O_RDWR open, blocking opens meeting across a
 * fork, a reader woken by a writer that closed again at once, an open a
 * signal interrupts (EINTR, then restarted with SA_RESTART), a FIFO used
 * after its name is unlinked, EPIPE, and getdents' type.
 *
 * `lx-fifo devices` (Lemmings only, tests/linux.t: root on Linux makes
 * them): mknod of a character or block device or a socket is EPERM.
 * Exits 0 if every check passed.
 */
#include "lx.h"

#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFBLK 0060000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_IFSOCK 0140000
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define POLLIN 1
#define POLLOUT 4
#define POLLERR 8
#define POLLHUP 16
#define POLLNVAL 32
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define AT_FDCWD (-100)
#define SIGUSR1 10
#define SIGPIPE 13
#define SA_RESTART 0x10000000
#define FIFO "tmp/lx-fifo"

struct stat {
	u64 dev, ino, nlink;
	unsigned mode, uid, gid, pad;
	u64 rdev;
	long size, blksize, blocks, times[6], unused[3];
};

static int failed;

static void check(int ok, const char *what, long got)
{
	char n[24];

	say_line(ok ? "lx-fifo: ok " : "lx-fifo: FAILED ", what, " ", num_str(got, n), "\n");
	failed |= !ok;
}

static long mknod(const char *path, long mode)
{
	return sys6(259, AT_FDCWD, (long)path, mode, 0, 0, 0); /* mknodat */
}

static long open(const char *path, long flags)
{
	return sys6(257, AT_FDCWD, (long)path, flags, 0, 0, 0); /* openat */
}

static long stat_mode(const char *path)
{
	struct stat st;
	long r = sys6(262, AT_FDCWD, (long)path, (long)&st, 0, 0, 0); /* newfstatat */

	return r ? r : (long)st.mode;
}

static void sleep_ms(long ms)
{
	long ts[2] = {0, ms * 1000000};

	sys(35, (long)ts, 0, 0);
}

/* Fork a child that sleeps ms, then does what and exits: 1, open FIFO for
 * writing and write "hello"; 2, open it for writing and close it at once;
 * 3, send the parent SIGUSR1 every ms until the parent kills it (one
 * lands while the parent's open waits, however late the parent comes to
 * it); 4, send SIGUSR1 once, then, ms later, do as 1. */
static long child(int what, long ms)
{
	long pid = sys(57, 0, 0, 0), fd;

	if (pid)
		return pid;
	sleep_ms(ms);
	if (what >= 3) {
		do {
			sys(62, sys(110, 0, 0, 0), SIGUSR1, 0); /* kill(getppid()) */
			sleep_ms(ms);
		} while (what == 3);
	}
	fd = open(FIFO, O_WRONLY);
	if (fd < 0)
		leave(1);
	if (what != 2 && sys(1, fd, (long)"hello", 5) != 5)
		leave(2);
	leave(0);
}

/* The child's status (wait4, again after an EINTR), or -1. */
static long reap(long pid)
{
	int status = -1;
	long r;

	while ((r = sys6(61, pid, (long)&status, 0, 0, 0, 0)) == -4)
		;
	return r == pid ? status : -1;
}

static volatile int usr1;

static void on_usr1(long sig)
{
	usr1++;
}

static void nonblocking(void)
{
	char b[8];
	long r, w;

	check(open(FIFO, O_WRONLY | O_NONBLOCK) == -6, "O_WRONLY|O_NONBLOCK, no reader: ENXIO",
	      open(FIFO, O_WRONLY | O_NONBLOCK));
	r = open(FIFO, O_RDONLY | O_NONBLOCK);
	check(r >= 0, "O_RDONLY|O_NONBLOCK opens at once", r >= 0);
	check(sys(0, r, (long)b, sizeof b) == 0, "a read with no writer: the end", 0);
	w = open(FIFO, O_WRONLY | O_NONBLOCK);
	check(w >= 0, "O_WRONLY|O_NONBLOCK with a reader opens", w >= 0);
	check(sys(1, w, (long)"ab", 2) == 2, "write", 2);
	check(sys(0, r, (long)b, sizeof b) == 2 && b[0] == 'a' && b[1] == 'b', "read back", 2);
	check(sys(0, r, (long)b, sizeof b) == -11, "empty with a writer: EAGAIN", -11);
	check(sys(8, r, 0, 0) == -29, "lseek: ESPIPE", sys(8, r, 0, 0));
	sys(3, w, 0, 0);
	check(sys(0, r, (long)b, sizeof b) == 0, "the writer closed: the end", 0);
	sys(3, r, 0, 0);
}

static void read_rw(void)
{
	char b[8];
	long fd = open(FIFO, O_RDWR), n;

	check(fd >= 0, "O_RDWR opens without waiting", fd >= 0);
	n = sys(1, fd, (long)"xyz", 3);
	check(n == 3 && sys(0, fd, (long)b, sizeof b) == 3 && b[2] == 'z', "and reads what it wrote",
	      n);
	sys(3, fd, 0, 0);
}

static void meeting(void)
{
	char b[16];
	long pid = child(1, 100), fd = open(FIFO, O_RDONLY), n = 0, k;

	check(fd >= 0, "a reader and a writer meet across a fork", fd >= 0);
	while ((k = sys(0, fd, (long)b + n, sizeof b - (u64)n)) > 0)
		n += k;
	check(n == 5 && b[0] == 'h' && b[4] == 'o', "the writer's bytes, then the end", n);
	k = reap(pid);
	check(k == 0, "the writer's status", k);
	sys(3, fd, 0, 0);

	pid = child(2, 100);
	fd = open(FIFO, O_RDONLY);
	check(fd >= 0, "a waiting reader is let go by a writer that closes at once", fd >= 0);
	check(sys(0, fd, (long)b, sizeof b) == 0, "and reads the end", 0);
	reap(pid);
	sys(3, fd, 0, 0);
}

static void interrupted(void)
{
	long pid, fd;

	lx_sigaction(SIGUSR1, on_usr1, 0, 0, 0);
	pid = child(3, 100);
	fd = open(FIFO, O_RDONLY);
	check(fd == -4 && usr1 >= 1, "a signal interrupts a waiting open: EINTR", fd);
	sys(62, pid, 9, 0); /* SIGKILL */
	check(reap(pid) == 9, "the signaller, killed", 9);
	usr1 = 0;

	lx_sigaction(SIGUSR1, on_usr1, SA_RESTART, 0, 0);
	pid = child(4, 100);
	fd = open(FIFO, O_RDONLY);
	check(fd >= 0 && usr1 == 1, "with SA_RESTART the open goes on to the writer", fd >= 0);
	check(reap(pid) == 0, "the writer's status", 0);
	sys(3, fd, 0, 0);
}

static void unlinked_and_epipe(void)
{
	long fd = open(FIFO, O_RDWR), w;
	char b[4];

	check(sys(87, (long)FIFO, 0, 0) == 0, "unlink while open", 0);
	check(stat_mode(FIFO) == -2, "the name is gone", stat_mode(FIFO));
	check(sys(1, fd, (long)"q", 1) == 1 && sys(0, fd, (long)b, 1) == 1 && b[0] == 'q',
	      "the open FIFO still works", 1);
	sys(3, fd, 0, 0);

	check(mknod(FIFO, S_IFIFO | 0600) == 0, "made again", 0);
	fd = open(FIFO, O_RDONLY | O_NONBLOCK);
	w = open(FIFO, O_WRONLY | O_NONBLOCK);
	sys(3, fd, 0, 0);
	lx_sigaction(SIGPIPE, (void *)1, 0, 0, 0); /* SIG_IGN */
	check(sys(1, w, (long)"x", 1) == -32, "a write with no reader left: EPIPE",
	      sys(1, w, (long)"x", 1));
	sys(3, w, 0, 0);
}

struct pollfd {
	int fd;
	short events, revents;
};

/* poll of one descriptor for events: its revents, or the error. */
static long poll1(long fd, short events, long ms)
{
	struct pollfd p = {(int)fd, events, 0};
	long r = sys(7, (long)&p, 1, ms);

	return r < 0 ? r : p.revents;
}

static void expect_poll(long fd, short events, long ms, long want, const char *what)
{
	long r = poll1(fd, events, ms);

	check(r == want, what, r);
}

/* poll on pipes and a named pipe, as Linux answers it. */
static void polls(void)
{
	int p[2];
	long fd;
	char b;

	sys(293, (long)p, 0, 0);
	expect_poll(p[0], POLLIN, 50, 0, "poll: an empty pipe is not readable (50 ms)");
	expect_poll(p[1], POLLOUT, 0, POLLOUT, "its write end is writable");
	sys(1, p[1], (long)"z", 1);
	expect_poll(p[0], POLLIN, 0, POLLIN, "a byte in it: readable");
	sys(3, p[1], 0, 0);
	expect_poll(p[0], POLLIN, 0, (POLLIN | POLLHUP), "the writer gone: and hung up");
	sys(0, p[0], (long)&b, 1);
	expect_poll(p[0], POLLIN, -1, POLLHUP, "emptied: hung up only");
	sys(3, p[0], 0, 0);
	sys(293, (long)p, 0, 0);
	sys(3, p[0], 0, 0);
	expect_poll(p[1], POLLOUT, 0, (POLLOUT | POLLERR), "no reader: writable, an error");
	sys(3, p[1], 0, 0);
	expect_poll(p[1], POLLIN, 0, POLLNVAL, "a closed descriptor: POLLNVAL");
	fd = open(FIFO, O_RDWR);
	expect_poll(fd, POLLIN | POLLOUT, 0, POLLOUT, "a FIFO open both ways: writable");
	sys(3, fd, 0, 0);
}

/* select and pselect6 on a pipe, as Linux answers them. */
static void selects(void)
{
	int p[2];
	unsigned long r, w;
	long tv[2] = {0, 50000}, ts[2] = {0, 0}, n;

	sys(293, (long)p, 0, 0);
	r = 1ul << p[0];
	n = sys6(23, p[0] + 1, (long)&r, 0, 0, (long)tv, 0);
	check(n == 0 && r == 0 && tv[0] == 0 && tv[1] == 0,
	      "select: an empty pipe, 50 ms: none, and no time left", n);
	sys(1, p[1], (long)"s", 1);
	r = 1ul << p[0];
	w = 1ul << p[1];
	n = sys6(23, p[1] + 1, (long)&r, (long)&w, 0, 0, 0);
	check(n == 2 && r == 1ul << p[0] && w == 1ul << p[1], "a byte in it: both ends ready", n);
	r = 1ul << p[0];
	n = sys6(270, p[0] + 1, (long)&r, 0, 0, (long)ts, 0);
	check(n == 1 && r == 1ul << p[0], "pselect6 with no wait sees it too", n);
	sys(3, p[1], 0, 0);
	w = 1ul << p[1];
	n = sys6(23, p[1] + 1, 0, (long)&w, 0, (long)tv, 0);
	check(n == -9, "a closed descriptor in a set: EBADF", n);
	sys(3, p[0], 0, 0);
}

/* getdents64 of tmp: the FIFO's d_type. */
static long dirent_type(void)
{
	static char buf[4096];
	long fd = open("tmp", O_RDONLY | O_DIRECTORY), n, type = -1;

	while (fd >= 0 && (n = sys(217, fd, (long)buf, sizeof buf)) > 0)
		for (long at = 0; at < n; at += *(unsigned short *)(buf + at + 16)) {
			const char *name = buf + at + 19;

			if (name[0] == 'l' && name[1] == 'x' && name[2] == '-' && name[3] == 'f' &&
			    name[4] == 'i' && name[5] == 'f' && name[6] == 'o' && !name[7])
				type = buf[at + 18];
		}
	sys(3, fd, 0, 0);
	return type;
}

static void devices(void)
{
	static const long types[] = {S_IFCHR, S_IFBLK, S_IFSOCK};

	for (int i = 0; i < 3; i++)
		check(mknod("tmp/lx-dev", types[i] | 0600) == -1, "mknod of a device or socket: EPERM",
		      mknod("tmp/lx-dev", types[i] | 0600));
	check(stat_mode("tmp/lx-dev") == -2, "nothing made", stat_mode("tmp/lx-dev"));
	check(mknod("etc/lx-fifo", S_IFIFO | 0600) == -30, "a FIFO outside /tmp: EROFS",
	      mknod("etc/lx-fifo", S_IFIFO | 0600));
}

int main(u64 *sp)
{
	const char *arg = sp[0] > 1 ? (const char *)sp[2] : "";

	if (arg[0] == 'd') {
		devices();
		return failed;
	}
	sys(95, 022, 0, 0); /* umask */
	sys(87, (long)FIFO, 0, 0);
	check(mknod(FIFO, S_IFIFO | 0666) == 0, "mknod S_IFIFO", 0);
	check(stat_mode(FIFO) == (S_IFIFO | 0644), "its mode", stat_mode(FIFO));
	check(mknod(FIFO, S_IFIFO | 0666) == -17, "again: EEXIST", mknod(FIFO, S_IFIFO));
	check(mknod("tmp/lx-file", 0644) == 0 && stat_mode("tmp/lx-file") == (S_IFREG | 0644),
	      "mknod with no type: a file", 0);
	sys(87, (long)"tmp/lx-file", 0, 0);
	check(mknod("tmp/lx-x", S_IFLNK | 0644) == -22, "mknod S_IFLNK: EINVAL",
	      mknod("tmp/lx-x", S_IFLNK));
	check(mknod("tmp/lx-x", S_IFDIR | 0755) == -1, "mknod S_IFDIR: EPERM",
	      mknod("tmp/lx-x", S_IFDIR));
	check(dirent_type() == 1, "getdents64's d_type: DT_FIFO", dirent_type());
	nonblocking();
	read_rw();
	meeting();
	interrupted();
	polls();
	selects();
	unlinked_and_epipe();
	sys(87, (long)FIFO, 0, 0);
	return failed;
}
