/*
 * lx-pingpong N: two pipes, a fork, and one byte passed there and back N
 * times (the parent writes to the child's pipe and reads the answer from
 * its own); the parent then waits for the child and exits 0 if every byte
 * came back right, else 1. The pipe ping-pong benchmark between two Linux
 * processes (kernel/linux/pipe_bench.c).
 */
#include "lx.h"

static u64 number(const char *s)
{
	u64 n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (u64)(*s++ - '0');
	return n;
}

int main(u64 *sp)
{
	u64 rounds = sp[0] > 1 ? number((const char *)sp[2]) : 0;
	int to_child[2], to_parent[2], status = 0;
	unsigned char b = 0;
	long pid, bad = 0;

	if (sys(293, (long)to_child, 0, 0) || sys(293, (long)to_parent, 0, 0))
		leave(2);
	pid = sys(57, 0, 0, 0); /* fork */
	if (pid < 0)
		leave(3);
	if (pid == 0) {
		sys(3, to_child[1], 0, 0); /* else its own copy keeps the pipe open */
		sys(3, to_parent[0], 0, 0);
		for (;;) {
			if (sys(0, to_child[0], (long)&b, 1) != 1)
				leave(0); /* the parent closed: done */
			b++;
			sys(1, to_parent[1], (long)&b, 1);
		}
	}
	sys(3, to_child[0], 0, 0);
	sys(3, to_parent[1], 0, 0);
	for (u64 i = 0; i < rounds; i++) {
		unsigned char sent = (unsigned char)i;

		sys(1, to_child[1], (long)&sent, 1);
		if (sys(0, to_parent[0], (long)&b, 1) != 1 || b != (unsigned char)(sent + 1))
			bad = 1;
	}
	sys(3, to_child[1], 0, 0); /* the child reads the end */
	if (sys6(61, pid, (long)&status, 0, 0, 0, 0) != pid || status)
		bad = 1;
	return (int)bad;
}
