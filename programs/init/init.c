/*
 * init: the first program. It reads the list of programs to start (argv[1],
 * /etc/programs by default) from the boot archive, one per line with its
 * arguments ('#' starts a comment), and starts each through the loader,
 * reporting every start and every failure. A failure never stops the rest.
 * Lines may end in CRLF; a line holding a NUL byte is reported and skipped.
 * A line whose first word is `untrusted` starts the program after it
 * through the Process door instead: in ring 3, in an address space of its
 * own, on a hart set apart (docs/isolation.md); the words after the path
 * are grants, `door:routine,routine` (of the Harts and Timer doors), and
 * the program gets no arguments. A line whose first word is `linux` runs
 * the rest of the line, a command line whose first word is a static Linux
 * executable's path, as a Linux process (docs/linux.md) and waits for it
 * to end before going on, between two lines that delimit its output:
 *
 *     init: linux line 3: /bin/busybox echo hello
 *     hello
 *     init: linux line 3: exit status 0
 *
 * (a status past 255 is 0x100 plus the vector of the exception that ended
 * it, or 0x200 if it was killed, as the Process door says).
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/boot_archive.h>
#include <lemmings/catalog.h>
#include <lemmings/harts.h>
#include <lemmings/linux_process.h>
#include <lemmings/loader.h>
#include <lemmings/process.h>
#include <lemmings/timer.h>

#define LIST_MAX 8192
#define LINE_MAX 256
#define UNTRUSTED_QUOTA 256 /* pages: its image, stack and tables */

static char list[LIST_MAX + 1];

/* Read the whole list file; its length, or -1 after saying why. */
static long read_list(const struct boot_archive_door *archive, const char *path)
{
	struct boot_archive_info info;
	uint64_t got = 0;
	boot_archive_status err;

	err = boot_archive_lookup(archive, (const uint8_t *)path, &info);
	if (err) {
		printf("init: cannot open the program list %s: %s\n", path, lm_err_str(err));
		return -1;
	}
	if (info.size > LIST_MAX) {
		printf("init: the program list %s is too long (%llu bytes, at most %d)\n", path,
		       (unsigned long long)info.size, LIST_MAX);
		return -1;
	}
	err = boot_archive_read(archive, info.node, 0, (uint8_t *)list, info.size, &got);
	if (err || got != info.size) {
		printf("init: cannot read %s: %s\n", path, lm_err_str(err ? err : LM_ERR_IO));
		return -1;
	}
	list[got] = 0;
	return (long)got;
}

/* Split the first word off line: it ends at a blank, which becomes a NUL;
 * what follows that blank is returned. */
static char *first_word(char *line)
{
	char *rest = line;

	while (*rest && *rest != ' ' && *rest != '\t')
		rest++;
	if (*rest)
		*rest++ = 0;
	return rest;
}

/* One grant, "door:routine,routine", into g; 0, or -1 after saying why.
 * The door is any of the IDL files' (<lemmings/catalog.h>), found by name;
 * each routine one of its own that a gate can call (the gate checks again
 * when the process starts). */
static int parse_grant(char *word, struct process_grant *g, int number, const char *list_path)
{
	const struct lm_door_desc *d = NULL;
	const struct lm_gate_desc *gd = NULL;
	char *colon = strchr(word, ':'), *r;

	if (colon)
		*colon = 0;
	for (size_t i = 0; i < LM_CATALOG_COUNT; i++)
		if (!strcmp(lm_catalog_doors[i]->name, word)) {
			d = lm_catalog_doors[i];
			gd = lm_catalog_gates[i];
		}
	if (!colon || !d) {
		printf("init: %s:%d: cannot grant '%s': not door:routine,... of a door of the "
		       "IDL files\n", list_path, number, word);
		return -1;
	}
	memcpy(&g->id, &d->api_id, sizeof g->id);
	g->routines = 0;
	for (r = colon + 1; *r;) {
		char *end = strchr(r, ',');
		uint64_t k = 0;

		if (end)
			*end = 0;
		while (k < d->routine_count && strcmp(d->routines[k].name, r))
			k++;
		if (k == d->routine_count || k >= 64) {
			printf("init: %s:%d: cannot grant %s:%s: no such routine\n", list_path, number,
			       d->name, r);
			return -1;
		}
		if (gd->routines[k].result == LM_GATE_NONE) {
			printf("init: %s:%d: cannot grant %s:%s: no gate can call it: %s\n", list_path,
			       number, d->name, r, gd->routines[k].why ? gd->routines[k].why : "");
			return -1;
		}
		g->routines |= 1ull << k;
		r = end ? end + 1 : r + strlen(r);
	}
	return 0;
}

/* Start path untrusted through the Process door, granted the rest of the
 * line's words (door:routine,...); 1 if it started. */
static int start_untrusted(char *path, char *rest, int number, const char *list_path)
{
	const struct process_door *door = process_door_find();
	struct process_grants grants = {0};
	struct process_grant *slots[4] = {&grants.g0, &grants.g1, &grants.g2, &grants.g3};
	process_start_result r;

	if (!door) {
		printf("init: %s:%d: cannot start %s untrusted: no Process door here\n", list_path,
		       number, path);
		return 0;
	}
	while (*rest) {
		char *word = rest;

		rest = first_word(word);
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (!*word)
			continue;
		if (grants.count == 4) {
			printf("init: %s:%d: cannot start %s untrusted: more than 4 grants\n",
			       list_path, number, path);
			return 0;
		}
		if (parse_grant(word, slots[grants.count], number, list_path))
			return 0;
		grants.count++;
	}
	r = process_start(door, (const uint8_t *)path, UNTRUSTED_QUOTA, &grants);
	if (process_start_result_is_error(r)) {
		printf("init: %s:%d: cannot start %s untrusted: %s\n", list_path, number, path,
		       lm_err_str((enum lm_err)r));
		return 0;
	}
	printf("init: started %s (untrusted, process 0x%llx)\n", path, (unsigned long long)r);
	return 1;
}

/* Run command as a Linux process and wait for it; 1 if it ran (whatever
 * its status). */
static int run_linux(const char *command, int number, const char *list_path)
{
	const struct linux_process_door *door = linux_process_door_find();
	const struct process_door *processes = process_door_find();
	linux_process_start_result r;
	process_exit_status status = 0;
	process_status err;

	if (!door || !processes) {
		printf("init: %s:%d: cannot run a Linux program: no %s door here\n", list_path, number,
		       door ? "Process" : "Linux process");
		return 0;
	}
	printf("init: linux line %d: %s\n", number, command);
	r = linux_process_start(door, (const uint8_t *)command);
	if (linux_process_start_result_is_error(r)) {
		printf("init: linux line %d: cannot start: %s\n", number, lm_err_str((enum lm_err)r));
		return 0;
	}
	if ((err = process_wait(processes, r, &status))) {
		printf("init: linux line %d: cannot wait: %s\n", number, lm_err_str((enum lm_err)err));
		return 0;
	}
	printf("init: linux line %d: exit status %u\n", number, (unsigned)status);
	return 1;
}

/* Start one line's program; 1 if it started. */
static int start_line(const struct loader_door *loader, char *line, int number,
		      const char *list_path)
{
	char detail[160], *args;
	loader_start_result r;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return -1;
	args = first_word(line);
	if (!strcmp(line, "linux")) {
		while (*args == ' ' || *args == '\t')
			args++;
		return run_linux(args, number, list_path);
	}
	if (!strcmp(line, "untrusted")) {
		char *path = args;

		char *rest;

		while (*path == ' ' || *path == '\t')
			path++;
		rest = first_word(path); /* then grants; no arguments */
		while (*rest == ' ' || *rest == '\t')
			rest++;
		return start_untrusted(path, rest, number, list_path);
	}
	r = loader_start(loader, (const uint8_t *)line, (const uint8_t *)args, (uint8_t *)detail,
			 sizeof detail);
	if (loader_start_result_is_error(r)) {
		printf("init: %s:%d: cannot start %s: %s (%s)\n", list_path, number, line, detail,
		       lm_err_str((enum lm_err)r));
		return 0;
	}
	printf("init: started %s%s%s\n", line, *args ? " " : "", args);
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/etc/programs";
	const struct boot_archive_door *archive = boot_archive_door_find();
	const struct loader_door *loader = loader_door_find();
	int started = 0, failed = 0, number = 0;
	char *line, *next;
	long len;

	if (!archive || !loader) {
		printf("init: the %s door is not in the hallway\n", archive ? "loader" : "boot archive");
		return 1;
	}
	printf("init: starting the programs listed in %s\n", path);
	len = read_list(archive, path);
	if (len < 0)
		return 1;
	for (line = list; line < list + len; line = next) {
		char *end = line;
		size_t n;
		int r;

		while (end < list + len && *end != '\n')
			end++;
		next = end + 1;
		*end = 0;
		n = (size_t)(end - line);
		if (n && line[n - 1] == '\r')
			line[--n] = 0;
		number++;
		if (strlen(line) != n) {
			printf("init: %s:%d: the line holds a NUL byte; skipped\n", path, number);
			failed++;
			continue;
		}
		if (n >= LINE_MAX) {
			printf("init: %s:%d: line too long (at most %d characters)\n", path, number,
			       LINE_MAX - 1);
			failed++;
			continue;
		}
		r = start_line(loader, line, number, path);
		started += r == 1;
		failed += r == 0;
	}
	printf("init: %d started, %d failed\n", started, failed);
	return failed ? 2 : 0;
}
