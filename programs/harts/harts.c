/*
 * harts: lists the harts through the Harts door: which are in the main
 * scheduler, which are halted, what runs on each. With arguments it also
 * changes the set, e.g. `harts remove 3` or `harts add 3`.
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/harts.h>

static const char *const states[] = {"main scheduler", "outside", "dedicated", "set apart"};

static int change(const struct harts_door *d, const char *verb, const char *number)
{
	unsigned n = 0;
	harts_status err;

	for (const char *c = number; *c; c++) {
		if (*c < '0' || *c > '9' || n > 1000) {
			printf("harts: %s: not a hart number\n", number);
			return 1;
		}
		n = n * 10 + (unsigned)(*c - '0');
	}
	if (!strcmp(verb, "add"))
		err = harts_add(d, n);
	else if (!strcmp(verb, "remove"))
		err = harts_remove(d, n);
	else {
		printf("harts: unknown command %s (add N, remove N)\n", verb);
		return 1;
	}
	printf("harts: %s %u: %s\n", verb, n, lm_err_str((enum lm_err)err));
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct harts_door *d = harts_door_find();
	struct harts_info info;
	uint32_t n;

	if (!d) {
		printf("harts: no harts door in the hallway\n");
		return 1;
	}
	if (argc == 3 && change(d, argv[1], argv[2]))
		return 1;
	n = harts_count(d);
	printf("harts: %u hart%s\n", n, n == 1 ? "" : "s");
	for (uint32_t i = 0; i < n; i++) {
		if (harts_describe(d, i, &info))
			continue;
		printf("harts:   hart %u  APIC %-3u  %-14s  %-6s  running %s%llu, %u ready\n", info.id,
		       info.apic_id, info.state <= 3 ? states[info.state] : "?",
		       info.idle ? "idle" : "busy", info.running ? "thread " : "idle ",
		       (unsigned long long)info.running, info.ready);
	}
	return 0;
}
