/*
 * The tiny Linux programs of tests/linux.t: static, no C library (built
 * with gcc -static -nostdlib), each calling the kernel directly with the
 * `syscall` instruction as any Linux program's library does. This header
 * is their whole runtime: the entry point, which hands main the initial
 * stack, and a few calls.
 */
#ifndef TESTS_LINUX_LX_H
#define TESTS_LINUX_LX_H

typedef unsigned long u64;

static inline long sys(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			 "r"(r9) : "rcx", "r11", "memory");
	return r;
}

static inline u64 len(const char *s)
{
	u64 n = 0;

	while (s[n])
		n++;
	return n;
}

static inline void say(const char *s)
{
	sys(1, 1, (long)s, (long)len(s));
}

/* v in decimal, written into b (24 bytes); returns where it starts. */
static inline const char *num_str(long v, char b[24])
{
	int i = 23;
	int neg = v < 0;
	u64 u = neg ? -(u64)v : (u64)v;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		b[--i] = '-';
	return b + i;
}

/* The pieces (a NULL-ended list) in one write, so that another program's
 * output on the console cannot land inside the line; cut at 256 bytes. */
static inline void say_pieces(const char *const *piece)
{
	char line[256];
	u64 n = 0;

	for (; *piece; piece++)
		for (const char *c = *piece; *c && n < sizeof line; c++)
			line[n++] = *c;
	sys(1, 1, (long)line, (long)n);
}

#define say_line(...) say_pieces((const char *const[]){__VA_ARGS__, 0})

static inline __attribute__((noreturn)) void leave(int status)
{
	for (;;)
		sys(231, status, 0, 0); /* exit_group */
}

/* A signal handler's action (the kernel's struct sigaction), with
 * lx_restorer as its restorer, as a C library's sigaction gives. */
struct lx_sigaction {
	u64 handler, flags, restorer, mask;
};

void lx_restorer(void);
__asm__(".globl lx_restorer\nlx_restorer:\n\tmov $15, %eax\n\tsyscall\n\thlt\n");

static inline long lx_sigaction(int sig, void *handler, u64 flags, u64 mask,
				struct lx_sigaction *old)
{
	struct lx_sigaction a = {(u64)handler, flags | 0x04000000 /* SA_RESTORER */,
				 (u64)lx_restorer, mask};

	return sys6(13, sig, (long)&a, (long)old, 8, 0, 0);
}

/* main gets the stack pointer as the kernel left it: argc, argv, ... */
int main(u64 *sp);

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall main\n"
	"\tmov %eax, %edi\n\tmov $231, %eax\n\tsyscall\n\thlt\n");

#endif
