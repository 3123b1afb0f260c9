/*
 * Random calls on descriptors, sockets above all (tests/linux-net.t):
 *
 *     lx-fuzz ROUNDS CALLS
 *
 * Each round forks a child that makes CALLS random system calls among
 * those on descriptors (read, write, close, dup, fcntl, ioctl, lseek,
 * poll, ppoll, select, pselect6, pipe2, sendfile and every socket call)
 * with random arguments: descriptors among the child's own (3 to 23) or nonsense,
 * pointers good, NULL, in the kernel's half, unmapped, read-only or
 * running off a mapping's end, lengths small and huge, socket addresses
 * half random (10.0.2.2 or garbage, random ports, families and lengths),
 * message headers and poll sets likewise. A call may block for ever (a
 * read of an empty pipe, an accept): the parent gives each child 300 ms
 * and then kills it (SIGKILL), which must end it wherever it waits.
 *
 * Prints "lx-fuzz: R rounds, N calls made, E ended, K killed, F faulted"
 * and exits 0 unless a child ended otherwise than by its exit or our
 * SIGKILL (a kernel error would show as a panic or a hang instead).
 */
#include "lx.h"

static u64 state;

static u64 next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static u64 below(u64 n)
{
	return next() % n;
}

static unsigned char heap[65536] __attribute__((aligned(4096)));
static const unsigned char ro[4096] __attribute__((aligned(4096))) = {1};

static long descriptor(void)
{
	switch (below(16)) {
	case 0: return -1;
	case 1: return 1000 + (long)below(1000);
	default: return 3 + (long)below(21);
	}
}

/* A socket address: usable often, nonsense sometimes. */
static u64 address(void)
{
	unsigned char *a = heap + 4096 * below(8);

	for (int i = 0; i < 16; i++)
		a[i] = (unsigned char)next();
	if (below(4)) {
		a[0] = 2, a[1] = 0; /* AF_INET */
		if (below(2))
			a[4] = 10, a[5] = 0, a[6] = 2, a[7] = 2; /* 10.0.2.2 */
		else if (below(2))
			a[4] = a[5] = a[6] = a[7] = 0;
	}
	return (u64)a;
}

static u64 pointer(void)
{
	switch (below(10)) {
	case 0: return 0;
	case 1: return 0xffff800000000000ull + below(1ull << 30);
	case 2: return 0x300000000000ull;
	case 3: return (u64)ro;
	case 4: return (u64)heap + sizeof heap - below(64); /* runs off the end */
	case 5: return address();
	default: return (u64)heap + below(sizeof heap - 8192);
	}
}

static u64 length(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return next();
	case 2: return below(1 << 20);
	default: return below(4096);
	}
}

/* A message header or a poll set in the heap, half sensible. */
static u64 message(void)
{
	u64 *m = (u64 *)(heap + 32768 + 64 * below(64));
	u64 *iov = (u64 *)(heap + 40960 + 256 * below(16));

	for (int i = 0; i < 8; i++)
		iov[i] = below(2) ? pointer() : length();
	m[0] = below(2) ? address() : pointer();
	m[1] = below(2) ? 16 : next();
	m[2] = below(4) ? (u64)iov : pointer();
	m[3] = below(4) ? below(5) : next();
	m[4] = below(4) ? 0 : pointer();
	m[5] = below(4) ? 0 : next();
	m[6] = next();
	return below(8) ? (u64)m : pointer();
}

static u64 pollset(void)
{
	int *p = (int *)(heap + 49152 + 256 * below(16));

	for (int i = 0; i < 16; i += 2) {
		p[i] = (int)descriptor();
		p[i + 1] = (int)next();
	}
	return below(8) ? (u64)p : pointer();
}

static const short numbers[] = {
	0, 1, 3, 5, 7, 8, 16, 19, 20, 23, 32, 33, 40, 72, 270, 271, 293,  /* descriptors */
	41, 41, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 288, /* sockets */
};

static void one_call(void)
{
	long n = numbers[below(sizeof numbers / sizeof numbers[0])];
	u64 a[6];

	for (int i = 0; i < 6; i++)
		a[i] = below(3) ? length() : pointer();
	switch (n) {
	case 41: /* socket */
		a[0] = below(8) ? 2 : below(50);
		a[1] = below(8) ? 1 + below(2) + (below(2) ? 04000 : 0) : next();
		a[2] = below(8) ? 0 : below(300);
		break;
	case 42: case 49: /* connect, bind */
		a[0] = (u64)descriptor(), a[1] = address(), a[2] = below(4) ? 16 : next();
		break;
	case 44: case 45: /* sendto, recvfrom */
		a[0] = (u64)descriptor(), a[1] = pointer(), a[2] = length();
		a[3] = below(2) ? 0x40 : next() & 0xffff; /* MSG_DONTWAIT, mostly */
		a[4] = below(2) ? 0 : address(), a[5] = below(4) ? 16 : pointer();
		break;
	case 46: case 47: /* sendmsg, recvmsg */
		a[0] = (u64)descriptor(), a[1] = message(), a[2] = below(2) ? 0x40 : next();
		break;
	case 7: case 271: /* poll, ppoll */
		a[0] = pollset(), a[1] = below(8) ? below(9) : next(), a[2] = below(2) ? 0 : 5;
		if (n == 271)
			a[2] = below(2) ? 0 : pointer(), a[3] = below(2) ? 0 : pointer(), a[4] = 8;
		break;
	case 23: case 270: /* select, pselect6 */
		a[0] = below(8) ? below(24) : next();
		a[1] = below(2) ? pollset() : 0, a[2] = below(2) ? pollset() : 0;
		a[3] = below(4) ? 0 : pointer(), a[4] = below(2) ? 0 : pointer();
		a[5] = below(2) ? 0 : pointer();
		break;
	case 293: /* pipe2 */
		a[0] = pointer(), a[1] = below(2) ? 04000 : next();
		break;
	default:
		a[0] = (u64)descriptor();
		if (n == 33 || n == 40) /* dup2, sendfile: a descriptor second too */
			a[1] = (u64)descriptor();
		break;
	}
	sys6(n, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
}

static long number(const char *s)
{
	long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + *s++ - '0';
	return v;
}

int main(u64 *sp)
{
	char **argv = (char **)(sp + 1);
	long rounds, calls, ended = 0, killed = 0, faulted = 0, made = 0;
	char n[5][24];

	if (sp[0] < 3) {
		say("usage: lx-fuzz ROUNDS CALLS\n");
		return 2;
	}
	rounds = number(argv[1]);
	calls = number(argv[2]);
	for (long r = 0; r < rounds; r++) {
		int status = 0;
		long pid, waited = 0;

		pid = sys(57, 0, 0, 0); /* fork */
		if (pid == 0) {
			/* A write to a pipe or socket whose reader is gone is
			 * EPIPE, not the end. */
			lx_sigaction(13 /* SIGPIPE */, (void *)1 /* SIG_IGN */, 0, 0, 0);
			state = 0x9e3779b97f4a7c15ull * (u64)(r + 1);
			for (long i = 0; i < calls; i++)
				one_call();
			leave(0);
		}
		if (pid < 0) {
			say("lx-fuzz: fork failed\n");
			return 1;
		}
		for (int i = 0; i < 30 && !waited; i++) { /* 300 ms */
			long ts[2] = {0, 10000000};

			waited = sys6(61, pid, (long)&status, 1 /* WNOHANG */, 0, 0, 0);
			if (!waited)
				sys(35, (long)ts, 0, 0);
		}
		if (!waited) {
			sys(62, pid, 9, 0); /* SIGKILL */
			sys6(61, pid, (long)&status, 0, 0, 0, 0);
		}
		if ((status & 0x7f) == 0) {
			ended++;
			made += calls;
		} else if ((status & 0x7f) == 9) {
			killed++;
		} else {
			faulted++;
			say_line("lx-fuzz: round ", num_str(r, n[0]), " ended by signal ",
				 num_str(status & 0x7f, n[1]), "\n");
		}
	}
	say_line("lx-fuzz: ", num_str(rounds, n[0]), " rounds, ", num_str(made, n[1]),
		 " calls made in the rounds that ended, ", num_str(ended, n[2]), " ended, ",
		 num_str(killed, n[3]), " killed, ", num_str(faulted, n[4]), " faulted\n");
	return faulted != 0;
}
