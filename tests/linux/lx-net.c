/*
 * Linux's socket calls on the Net door (tests/linux-net.t):
 *
 *     lx-net ECHO UDP REFUSED
 *     lx-net down
 *
 * the ports of tests/net-echo.py's servers on the host, which the guest
 * reaches as 10.0.2.2: a TCP echo, a UDP echo, and a port nobody listens
 * on. It first waits (60 s at most) for the network: a connect to the echo
 * server that does not fail with ENETDOWN (no Net door yet) or
 * ENETUNREACH (no address yet). Then each check prints one line,
 * "lx-net: ok - WHAT" or "lx-net: FAILED - WHAT (got N)", and the last
 * "lx-net: N checks, M failed"; it exits with M.
 *
 * `lx-net down` checks a system with no Net door (tests/linux.t's boot has
 * no network card): sockets are made, and each call that needs the
 * network gets ENETDOWN.
 */
#include "lx.h"

#define AF_UNIX 1
#define AF_INET 2
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define O_NONBLOCK 04000
#define SOCK_NONBLOCK O_NONBLOCK
#define POLLIN 1
#define POLLOUT 4
#define HOST 0x0202000a /* 10.0.2.2, in network byte order */

struct sockaddr_in {
	unsigned short family, port;
	unsigned int addr;
	unsigned char zero[8];
};

struct iovec {
	void *base;
	u64 len;
};

struct msghdr {
	void *name;
	unsigned int namelen;
	struct iovec *iov;
	u64 iovlen;
	void *control;
	u64 controllen;
	int flags;
};

struct pollfd {
	int fd;
	short events, revents;
};

static int checks, failed;

static void check(const char *what, int ok, long got)
{
	char n[24];

	checks++;
	failed += !ok;
	if (ok)
		say_line("lx-net: ok - ", what, "\n");
	else
		say_line("lx-net: FAILED - ", what, " (got ", num_str(got, n), ")\n");
}

static unsigned short port_of(const char *s)
{
	unsigned v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned)(*s++ - '0');
	return (unsigned short)(v >> 8 | v << 8);
}

static struct sockaddr_in host(unsigned short port)
{
	struct sockaddr_in a = {AF_INET, port, HOST, {0}};

	return a;
}

static int same(const char *a, const char *b, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static long nap(long ms)
{
	long ts[2] = {ms / 1000, ms % 1000 * 1000000};

	return sys(35, (long)ts, 0, 0);
}

static long now_ms(void)
{
	long ts[2];

	sys(228, 1, (long)ts, 0); /* clock_gettime(CLOCK_MONOTONIC) */
	return ts[0] * 1000 + ts[1] / 1000000;
}

/* A TCP connection to the echo server: its descriptor, or the error. */
static long dial(unsigned short port)
{
	struct sockaddr_in a = host(port);
	long fd = sys(41, AF_INET, SOCK_STREAM, 0), r;

	if (fd < 0)
		return fd;
	r = sys(42, fd, (long)&a, sizeof a);
	if (r < 0) {
		sys(3, fd, 0, 0);
		return r;
	}
	return fd;
}

/* Read exactly n bytes (the echo may come in pieces). */
static long read_all(long fd, char *buf, long n)
{
	long got = 0, r;

	while (got < n && (r = sys(0, fd, (long)(buf + got), n - got)) > 0)
		got += r;
	return got;
}

static int summary(void)
{
	char n[24], f[24];

	say_line("lx-net: ", num_str(checks, n), " checks, ", num_str(failed, f), " failed\n");
	return failed;
}

static int down(void)
{
	struct sockaddr_in a = host(0x5000);
	long tcp = sys(41, AF_INET, SOCK_STREAM, 0), udp = sys(41, AF_INET, SOCK_DGRAM, 0), r;

	check("without a Net door, socket still makes a TCP and a UDP socket", tcp >= 0 && udp >= 0,
	      tcp < 0 ? tcp : udp);
	r = sys(42, tcp, (long)&a, sizeof a);
	check("connect: ENETDOWN", r == -100, r);
	r = sys(50, tcp, 4, 0);
	check("listen: ENETDOWN", r == -100, r);
	r = sys6(44, udp, (long)"x", 1, 0, (long)&a, sizeof a);
	check("sendto: ENETDOWN", r == -100, r);
	r = sys(0, tcp, (long)&a, 1);
	check("a read of the unconnected socket: ENOTCONN", r == -107, r);
	return summary();
}

int main(u64 *sp)
{
	char **argv = (char **)(sp + 1), buf[256];
	unsigned short echo, udp, refused;
	struct sockaddr_in a;
	unsigned int alen;
	long fd, r, t0;

	if (sp[0] == 2 && same(argv[1], "down", 5))
		return down();
	if (sp[0] < 4) {
		say("usage: lx-net ECHO UDP REFUSED | lx-net down\n");
		return 2;
	}
	echo = port_of(argv[1]);
	udp = port_of(argv[2]);
	refused = port_of(argv[3]);

	t0 = now_ms();
	while ((fd = dial(echo)) == -100 || fd == -101) /* ENETDOWN, ENETUNREACH */
		if (now_ms() - t0 > 60000 || nap(200) < 0)
			break;
	check("a TCP connect to the host's echo server", fd >= 0, fd);
	if (fd < 0)
		leave(1);

	/* Bytes there and back, by write and read. */
	r = sys(1, fd, (long)"hello, lemmings", 15);
	check("write sends all 15 bytes", r == 15, r);
	r = read_all(fd, buf, 15);
	check("read gets them back", r == 15 && same(buf, "hello, lemmings", 15), r);

	/* The names. */
	alen = sizeof a;
	r = sys(52, fd, (long)&a, (long)&alen); /* getpeername */
	check("getpeername: 10.0.2.2 and the echo port",
	      !r && alen == 16 && a.family == AF_INET && a.addr == HOST && a.port == echo, r);
	alen = sizeof a;
	r = sys(51, fd, (long)&a, (long)&alen); /* getsockname */
	check("getsockname: 10.0.2.15 and a port", !r && a.addr == 0x0f02000a && a.port, r);

	/* poll: nothing to read yet; then something. */
	{
		struct pollfd p = {(int)fd, POLLIN, 0};

		r = sys(7, (long)&p, 1, 100);
		check("poll for input times out with nothing sent", r == 0 && !p.revents, r);
		sys(1, fd, (long)"x", 1);
		p.revents = 0;
		r = sys(7, (long)&p, 1, 10000);
		check("poll sees the echo", r == 1 && p.revents == POLLIN, r);
		p.events = POLLOUT;
		r = sys(7, (long)&p, 1, 0);
		check("poll: a connection can be written", r == 1 && p.revents == POLLOUT, r);
		r = sys6(45, fd, (long)buf, 1, 2 /* MSG_PEEK */, 0, 0);
		check("recvfrom with MSG_PEEK leaves the byte", r == 1 && buf[0] == 'x', r);
		r = sys6(45, fd, (long)buf, sizeof buf, 0, 0, 0);
		check("recvfrom then takes it", r == 1 && buf[0] == 'x', r);
	}

	/* Nothing there: O_NONBLOCK and SO_RCVTIMEO. */
	sys(72, fd, 4 /* F_SETFL */, O_NONBLOCK | 2);
	r = sys(0, fd, (long)buf, sizeof buf);
	check("a non-blocking read with nothing there: EAGAIN", r == -11, r);
	sys(72, fd, 4, 2);
	{
		long tv[2] = {0, 300000}; /* 300 ms */

		r = sys6(54, fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, (long)tv, sizeof tv, 0);
		check("setsockopt SO_RCVTIMEO", r == 0, r);
		t0 = now_ms();
		r = sys(0, fd, (long)buf, sizeof buf);
		check("a read past SO_RCVTIMEO: EAGAIN, not before it",
		      r == -11 && now_ms() - t0 >= 290, r);
		tv[1] = 0;
		sys6(54, fd, 1, 20, (long)tv, sizeof tv, 0);
	}

	/* Bad pointers: EFAULT, and the connection goes on. */
	r = sys(1, fd, 0x10, 8);
	check("write from page zero: EFAULT", r == -14, r);
	r = sys(0, fd, (long)0xffff800000000000ull, 8);
	check("read into the kernel's half: EFAULT", r == -14, r);
	r = sys(42, fd, 0x10, 16);
	check("connect with an address at page zero: EFAULT", r == -14, r);

	/* sendmsg and recvmsg with two buffers each. */
	{
		char x[3], y[5];
		struct iovec out[2] = {{"abc", 3}, {"defgh", 5}}, in[2] = {{x, 3}, {y, 5}};
		struct msghdr m = {0, 0, out, 2, 0, 0, 0};

		r = sys(46, fd, (long)&m, 0);
		check("sendmsg of two buffers", r == 8, r);
		m.iov = in;
		r = 0;
		for (int i = 0; i < 20 && r < 8; i++) { /* the echo may come in two parts */
			long n;

			in[0].base = x + (r < 3 ? r : 3);
			in[0].len = r < 3 ? 3 - r : 0;
			in[1].base = y + (r > 3 ? r - 3 : 0);
			in[1].len = r > 3 ? 8 - r : 5;
			n = sys(47, fd, (long)&m, 0);
			if (n <= 0)
				break;
			r += n;
		}
		check("recvmsg scatters them back", r == 8 && same(x, "abc", 3) && same(y, "defgh", 5),
		      r);
	}

	/* One socket, two processes: a child waits to receive on it while
	 * its parent sends on it, as on Linux. */
	{
		long pid;
		int status = -1;

		pid = sys(57, 0, 0, 0); /* fork */
		if (pid == 0)
			leave(read_all(fd, buf, 4) == 4 && same(buf, "fork", 4) ? 0 : 1);
		nap(200); /* the child waits in its read by now, most likely */
		r = sys(1, fd, (long)"fork", 4);
		sys6(61, pid, (long)&status, 0, 0, 0, 0);
		check("a forked child receives on a socket while its parent sends on it",
		      r == 4 && status == 0, status);
	}

	/* The end: our side shut, the echo server closes; EOF. */
	r = sys(48, fd, 1 /* SHUT_WR */, 0);
	check("shutdown of the sending side", r == 0, r);
	r = sys(0, fd, (long)buf, sizeof buf);
	check("then the server's close reads as the end", r == 0, r);
	r = sys6(44, fd, (long)"late", 4, 0x4000 /* MSG_NOSIGNAL */, 0, 0);
	check("a send after shutdown: EPIPE (MSG_NOSIGNAL: no SIGPIPE)", r == -32, r);
	check("close", sys(3, fd, 0, 0) == 0, 0);

	/* Errors. */
	r = dial(refused);
	check("a connect to a port nobody listens on: ECONNREFUSED", r == -111, r);
	r = sys(41, AF_UNIX, SOCK_STREAM, 0);
	check("an AF_UNIX socket: EAFNOSUPPORT", r == -97, r);
	r = sys(41, AF_INET, 7, 0);
	check("a socket of no type we make: EPROTONOSUPPORT", r == -93, r);
	a = host(echo);
	r = sys(42, 1, (long)&a, sizeof a);
	check("connect on the console: ENOTSOCK", r == -88, r);
	r = sys(42, 60, (long)&a, sizeof a);
	check("connect on a closed descriptor: EBADF", r == -9, r);

	/* A listener: port 0 gets one; nobody comes. */
	fd = sys(41, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a = host(0);
	a.addr = 0;
	r = sys(49, fd, (long)&a, sizeof a);
	check("bind to any address, port 0", r == 0, r);
	r = sys(49, fd, (long)&a, sizeof a);
	check("a second bind: EINVAL", r == -22, r);
	r = sys(50, fd, 8, 0);
	check("listen", r == 0, r);
	alen = sizeof a;
	r = sys(51, fd, (long)&a, (long)&alen);
	check("getsockname of the listener: the port the system picked", r == 0 && a.port, r);
	r = sys(43, fd, 0, 0);
	check("a non-blocking accept with nobody there: EAGAIN", r == -11, r);
	{
		struct pollfd p = {(int)fd, POLLIN, 0};

		r = sys(7, (long)&p, 1, 50);
		check("poll on the listener times out", r == 0, r);
	}
	sys(3, fd, 0, 0);

	/* UDP: sendto and recvfrom, then connect, write and read. */
	fd = sys(41, AF_INET, SOCK_DGRAM, 0);
	a = host(udp);
	r = sys6(44, fd, (long)"datagram", 8, 0, (long)&a, sizeof a);
	check("sendto of a datagram", r == 8, r);
	alen = sizeof a;
	a.addr = 0;
	r = sys6(45, fd, (long)buf, sizeof buf, 0, (long)&a, (long)&alen);
	check("recvfrom gets it back from the echo's address",
	      r == 8 && same(buf, "datagram", 8) && a.addr == HOST && a.port == udp, r);
	a = host(udp);
	r = sys(42, fd, (long)&a, sizeof a);
	check("connect of a UDP socket", r == 0, r);
	r = sys(1, fd, (long)"again", 5);
	check("write to the connected UDP socket", r == 5, r);
	r = sys(0, fd, (long)buf, 3);
	check("read of a datagram into 3 bytes: its head, the rest lost", r == 3 &&
	      same(buf, "aga", 3), r);
	sys(3, fd, 0, 0);
	return summary();
}
