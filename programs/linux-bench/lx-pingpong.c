/*
 * lx-pingpong: a static x86-64 Linux program, no C library, for the
 * benchmark of a pipe ping-pong between two Linux processes
 * (kernel/linux/linux_bench.c). `lx-pingpong N`: makes two pipes, forks,
 * and passes one byte there and back N times (the parent writes to the
 * child's pipe and reads the answer from its own); the parent then waits
 * for the child and exits 0 if every byte came back right, else 1.
 * Built with the host's compiler as an ET_EXEC at 0x400000, as Debian's
 * busybox-static is (programs/linux-bench/module.mk).
 */
typedef unsigned long u64;

static long sys(long nr, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static u64 number(const char *s)
{
	u64 n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (u64)(*s++ - '0');
	return n;
}

/* From _start (below): the stack as the kernel built it. */
__attribute__((noreturn, used)) static void start(u64 *sp)
{
	u64 argc = sp[0], rounds = argc > 1 ? number((const char *)sp[2]) : 0;
	int to_child[2], to_parent[2], status = 0;
	unsigned char b = 0;
	long pid, bad = 0;

	if (sys(293, (long)to_child, 0, 0, 0) || sys(293, (long)to_parent, 0, 0, 0))
		sys(231, 2, 0, 0, 0);
	pid = sys(57, 0, 0, 0, 0); /* fork */
	if (pid < 0)
		sys(231, 3, 0, 0, 0);
	if (pid == 0) {
		sys(3, to_child[1], 0, 0, 0); /* else its own copy keeps the pipe open */
		sys(3, to_parent[0], 0, 0, 0);
		for (;;) {
			if (sys(0, to_child[0], (long)&b, 1, 0) != 1)
				sys(231, 0, 0, 0, 0); /* the parent closed: done */
			b++;
			sys(1, to_parent[1], (long)&b, 1, 0);
		}
	}
	sys(3, to_child[0], 0, 0, 0);
	sys(3, to_parent[1], 0, 0, 0);
	for (u64 i = 0; i < rounds; i++) {
		unsigned char sent = (unsigned char)i;

		sys(1, to_child[1], (long)&sent, 1, 0);
		if (sys(0, to_parent[0], (long)&b, 1, 0) != 1 || b != (unsigned char)(sent + 1))
			bad = 1;
	}
	sys(3, to_child[1], 0, 0, 0); /* the child reads the end */
	if (sys(61, pid, (long)&status, 0, 0) != pid || status)
		bad = 1;
	sys(231, bad, 0, 0, 0);
	__builtin_unreachable();
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start\n\tud2\n");
