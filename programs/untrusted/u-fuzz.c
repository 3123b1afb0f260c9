/*
 * u-fuzz: a million syscalls with random door tokens, routines and
 * arguments (some valid, most not: pointers into its own memory, the
 * kernel's, nowhere), for the gate's fuzz test (kernel/process_test.c).
 * Granted what its starter grants; whatever comes back, it goes on, and
 * exits with 0.
 */
#include <lemmings/door.h>

#define CALLS 1000000

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* A value: small, an address of its own, a kernel one, or anything. */
static uint64_t value(uint64_t *mine)
{
	switch (next() % 5) {
	case 0: return next() % 80;
	case 1: return (uint64_t)(uintptr_t)mine + next() % 64;
	case 2: return 0xffffffff80100000ull + next() % 4096;
	case 3: return 0x7fffffff0000ull - next() % 32768; /* its stack and past it */
	default: return next();
	}
}

int main(void)
{
	uint64_t mine[16], result;
	struct lm_api_id id;

	for (int i = 0; i < CALLS; i++) {
		uint64_t r = next();

		if (r % 16 == 0) { /* find: a random ID, or a pointer anywhere */
			for (int k = 0; k < 16; k++)
				id.bytes[k] = (uint8_t)next();
			lm_gate_find(r % 32 ? &id : (const struct lm_api_id *)(uintptr_t)value(mine));
			continue;
		}
		lm_gate_call((const void *)(uintptr_t)(0xffc + next() % 8), next() % 9, value(mine),
			     value(mine), value(mine), value(mine), value(mine), &result);
	}
	return 0;
}
