/*
 * The personality's files and memory from a program's side
 * (tests/linux.t): /tmp (create, write, lseek, read back, fstat, list,
 * unlink, gone), /dev/null, /dev/zero, /dev/urandom, /proc/self/exe, the
 * archive read-only (EROFS), dup2 onto stdout, brk growing, an anonymous
 * mmap written and read, a file mmap of the archive, mprotect, an unknown
 * open (ENOENT). One line per check; exits 0 if all passed.
 */
#include "lx.h"

static int failed;

static void check(const char *what, int ok)
{
	say_line(ok ? "lx-files: ok " : "lx-files: FAILED ", what, "\n");
	failed |= !ok;
}

static int same(const char *a, const char *b, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

int main(u64 *sp)
{
	char buf[256], st[144];
	long fd, n, fd2;

	fd = sys(2, (long)"/tmp/f", 0102 /* O_RDWR|O_CREAT */, 0644);
	check("open /tmp/f with O_CREAT", fd >= 3);
	check("write 11 bytes to it", sys(1, fd, (long)"hello, tmp\n", 11) == 11);
	check("lseek to 7", sys(8, fd, 7, 0) == 7);
	n = sys(0, fd, (long)buf, sizeof buf);
	check("read the rest back", n == 4 && same(buf, "tmp\n", 4));
	check("fstat: 11 bytes, a regular file", sys(5, fd, (long)st, 0) == 0 &&
	      *(long *)(st + 48) == 11 && (*(unsigned *)(st + 24) & 0170000) == 0100000);
	fd2 = sys(2, (long)"/tmp", 0200000 /* O_DIRECTORY */, 0);
	n = sys(217, fd2, (long)buf, sizeof buf); /* getdents64 */
	check("getdents64 of /tmp lists f", n > 19 && same(buf + 19, "f", 2));
	sys(3, fd2, 0, 0);
	check("unlink /tmp/f", sys(87, (long)"/tmp/f", 0, 0) == 0);
	check("it is gone (ENOENT)", sys(2, (long)"/tmp/f", 0, 0) == -2);
	check("but still readable through the open file", sys(8, fd, 0, 0) == 0 &&
	      sys(0, fd, (long)buf, 5) == 5 && same(buf, "hello", 5));
	sys(3, fd, 0, 0);
	fd = sys(2, (long)"/dev/null", 2, 0);
	check("/dev/null swallows writes and reads empty",
	      sys(1, fd, (long)"x", 1) == 1 && sys(0, fd, (long)buf, 8) == 0);
	fd = sys(2, (long)"/dev/zero", 0, 0);
	buf[0] = 1;
	check("/dev/zero reads zeros", sys(0, fd, (long)buf, 8) == 8 && !buf[0] && !buf[7]);
	fd = sys(2, (long)"/dev/urandom", 0, 0);
	{
		u64 r[4] = {0, 0, 0, 0};

		check("/dev/urandom gives 32 bytes, not all zero",
		      sys(0, fd, (long)r, 32) == 32 && (r[0] | r[1] | r[2] | r[3]));
	}
	n = sys(89, (long)"/proc/self/exe", (long)buf, sizeof buf); /* readlink */
	check("/proc/self/exe is /bin/lx-files", n == 13 && same(buf, "/bin/lx-files", 13));
	check("the archive is read-only (EROFS)", sys(2, (long)"/t/words", 1, 0) == -30);
	check("a file that is not there (ENOENT)", sys(2, (long)"/t/nothing", 0, 0) == -2);
	fd = sys(2, (long)"/t/small", 0, 0);
	check("read a file of the archive", sys(0, fd, (long)buf, 64) == 10 && same(buf, "Hi\tthere", 8));
	{
		long b = sys(12, 0, 0, 0), b2 = sys(12, b + 100000, 0, 0);

		check("brk grows by 100000 bytes", b > 0 && b2 == b + 100000);
		((char *)b)[99999] = 7;
		check("and the new memory is there", ((char *)b)[99999] == 7);
	}
	{
		char *m = (char *)sys6(9, 0, 65536, 3, 0x22, -1, 0); /* rw, private|anon */

		check("mmap 64 KiB anonymous", (long)m > 0 && !m[0] && !m[65535]);
		m[65535] = 9;
		check("munmap it", sys(11, (long)m, 65536, 0) == 0);
		m = (char *)sys6(9, 0, 4096, 1, 2, fd, 0); /* read, private, /t/small */
		check("mmap a file of the archive", (long)m > 0 && same(m, "Hi\tthere", 8) && !m[10]);
		check("mprotect it read-write", sys(10, (long)m, 4096, 3) == 0);
		m[0] = 'h';
		check("and write it", m[0] == 'h');
	}
	fd = sys(32, 1, 0, 0); /* dup(1) */
	check("dup stdout", fd >= 3 && sys(1, fd, (long)"lx-files: through a dup\n", 24) == 24);
	check("dup2 it over 9", sys(33, fd, 9, 0) == 9 && sys(1, 9, (long)"lx-files: through 9\n", 20) == 20);
	check("ioctl TCGETS on the console", sys(16, 1, 0x5401, (long)buf) == 0);
	check("ioctl TCGETS on /dev/null: ENOTTY", sys(16, sys(2, (long)"/dev/null", 0, 0), 0x5401, (long)buf) == -25);
	return failed;
}
