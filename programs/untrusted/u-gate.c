/*
 * u-gate: one program source, built untrusted (LM_UNTRUSTED): the Harts
 * door's generated wrappers call through the gate. Granted count and
 * describe of the Harts door (by its starter), nothing of the Timer door.
 * The _gated wrappers tell a refusal from a result. Its exit status is the
 * number of the first check that failed, 0 if none.
 */
#include <lemmings/harts.h>
#include <lemmings/timer.h>

int main(void)
{
	const struct harts_door *h = harts_door_find();
	struct harts_info info = {0};
	uint32_t n;

	if (!h)
		return 1;
	if (timer_door_find())
		return 2; /* not granted: no token */
	n = harts_count(h);
	if (n < 2 || n > 64)
		return 3;
	if (harts_describe(h, 0, &info) != LM_OK || info.id != 0)
		return 4;
	if (harts_describe(h, n - 1, &info) != LM_OK || info.id != n - 1)
		return 5;
	if (harts_describe(h, 64, &info) != LM_ERR_RANGE) /* out of its range */
		return 6;
	if (harts_describe(h, 0, (struct harts_info *)0xffffffff80100000ull) != LM_ERR_FAULT)
		return 7; /* a kernel pointer */
	if (harts_describe(h, 0, (struct harts_info *)(uintptr_t)main) != LM_ERR_FAULT)
		return 8; /* its own code: readable, not writable */
	if (harts_add(h, 0) != LM_ERR_NOENT)
		return 9; /* a routine not granted */
	/* A refusal is told apart from any result (the carry flag): count's
	 * result could be 4, LM_ERR_NOENT's code. */
	if (harts_count_gated(h, &n) != LM_OK || n < 2)
		return 10;
	{
		harts_status st = 0xfff;

		if (harts_add_gated(h, 0, &st) != LM_ERR_NOENT || st != 0xfff)
			return 11; /* refused, and no result written */
	}
	return 0;
}
