/*
 * u-aspace: an untrusted program granted the Address space door (create,
 * destroy, map, query; by kernel/process_test.c). It may make spaces of its
 * own and use them, and no other: every handle it did not get from create
 * (any slot, any generation up to USES) is LM_ERR_NOENT to it, though its
 * starter made one there and the kernel holds its own. It leaves a second
 * space behind, for its end to destroy. Its exit status is the number of
 * the first check that failed, 0 if none.
 */
#include <lemmings/aspace.h>

#define SLOTS 256 /* kernel/aspace.h, ASPACE_MAX */
#define USES 16   /* generations of each slot tried */

int main(void)
{
	const struct aspace_door *a = aspace_door_find();
	aspace_create_result mine, left;
	struct aspace_info info;

	if (!a)
		return 1;
	mine = aspace_create(a, 8);
	if (!aspace_create_result_is_space(mine))
		return 2;
	if (aspace_map(a, mine, 0x10000000, 1, 1) != LM_OK)
		return 3;
	if (aspace_query(a, mine, &info) != LM_OK || info.pages < 2)
		return 4;
	for (uint64_t use = 1; use <= USES; use++)
		for (uint64_t slot = 1; slot <= SLOTS; slot++) {
			aspace_space h = use << 32 | slot << 12;

			if (h != mine && aspace_query(a, h, &info) != LM_ERR_NOENT)
				return 5; /* another's space, named */
		}
	if (aspace_destroy(a, mine) != LM_OK)
		return 6;
	if (aspace_query(a, mine, &info) != LM_ERR_NOENT)
		return 7;
	left = aspace_create(a, 4);
	if (!aspace_create_result_is_space(left))
		return 8;
	return 0;
}
