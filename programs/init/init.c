/*
 * init: the first program. It reads the list of programs to start (argv[1],
 * /etc/programs by default) from the boot archive, one per line with its
 * arguments ('#' starts a comment), and starts each through the loader,
 * reporting every start and every failure. A failure never stops the rest.
 * Lines may end in CRLF; a line holding a NUL byte is reported and skipped.
 * A line whose first word is `untrusted` starts the program after it
 * through the Process door instead: in ring 3, in an address space of its
 * own, on a hart set apart (docs/isolation.md); such a program gets no
 * arguments.
 */
#include <stdio.h>
#include <string.h>

#include <lemmings/boot_archive.h>
#include <lemmings/loader.h>
#include <lemmings/process.h>

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

/* Start path untrusted through the Process door; 1 if it started. */
static int start_untrusted(char *path, int number, const char *list_path)
{
	const struct process_door *door = process_door_find();
	process_start_result r;

	if (!door) {
		printf("init: %s:%d: cannot start %s untrusted: no Process door here\n", list_path,
		       number, path);
		return 0;
	}
	r = process_start(door, (const uint8_t *)path, UNTRUSTED_QUOTA);
	if (process_start_result_is_error(r)) {
		printf("init: %s:%d: cannot start %s untrusted: %s\n", list_path, number, path,
		       lm_err_str((enum lm_err)r));
		return 0;
	}
	printf("init: started %s (untrusted, process 0x%llx)\n", path, (unsigned long long)r);
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
	if (!strcmp(line, "untrusted")) {
		char *path = args;

		while (*path == ' ' || *path == '\t')
			path++;
		first_word(path); /* arguments: none for untrusted programs */
		return start_untrusted(path, number, list_path);
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
