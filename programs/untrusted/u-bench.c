/*
 * u-bench: 2000 gated calls of the Harts door's count, for the gated call
 * round trip benchmark (kernel/process_bench.c), then exit 0 (1 if a call
 * failed or the door was not granted).
 */
#include <lemmings/harts.h>

#define CALLS 2000

int main(void)
{
	const struct harts_door *h = harts_door_find();

	if (!h)
		return 1;
	for (int i = 0; i < CALLS; i++)
		if (harts_count(h) < 2)
			return 1;
	return 0;
}
