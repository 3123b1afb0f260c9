/*
 * u-kv: an untrusted program calling a trusted program's door (kvstore,
 * programs/kvstore) through the gate: a door no list in the kernel names,
 * granted by name from the IDL files' catalog (init's line
 * `kvstore:put,get`). Its exit status is the number of the first check
 * that failed, 0 if none.
 */
#include <lemmings/kvstore.h>

#define KEY 0x6b7600000001ull /* far from kvclient's keys */
#define TRIES 100000          /* kvstore may not have published its door yet */

int main(void)
{
	const struct kvstore_door *kv = kvstore_door_find();
	uint64_t value = 0;
	kvstore_status st = LM_ERR_NOENT;

	if (!kv)
		return 1;
	/* Until kvstore publishes its door, the gate says it is not there. */
	for (int i = 0; i < TRIES && st == LM_ERR_NOENT; i++)
		st = kvstore_put(kv, KEY, 0x5eed);
	if (st != LM_OK)
		return 2;
	if (kvstore_get(kv, KEY, &value) != LM_OK || value != 0x5eed)
		return 3; /* the value came back through the gate's copy */
	if (kvstore_put(kv, 0, 1) != LM_ERR_RANGE)
		return 4; /* key 0 is outside its IDL range */
	if (kvstore_get(kv, KEY, (uint64_t *)0xffffffff80100000ull) != LM_ERR_FAULT)
		return 5; /* a kernel pointer */
	return 0;
}
