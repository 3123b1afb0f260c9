/*
 * lemmings-hosted: Lemmings programs in a Linux process.
 *
 *   lemmings-hosted [--harts N] [--memory MIB] [--init PATH] [--programs LIST]
 *                   [--shell | --no-shell] ARCHIVE
 *
 * ARCHIVE is a cpio (newc) file, as the kernel boots with, or a folder,
 * packed into one at start. The same service doors as the kernel's are
 * published (services/), /init is started with the program list as its
 * argument, then the shell reads the init language from standard input
 * (hosted/shell.c) with --shell, or when standard input and output are
 * both terminals (unless --no-shell), and the process ends when the shell
 * is done and every thread has ended. Exit status: 0, or 1 if init could
 * not start, 2 for a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/thread.h"
#include "core/timer.h"
#include "hosted/hosted.h"
#include "hosted/memory_door.h"
#include "hosted/net.h"
#include "hosted/shell.h"
#include "lib/fmt.h"
#include "services/loader.h"
#include "services/services.h"

static const char *init_path = "/init", *list_path = "/etc/programs";
static void *archive;
static size_t archive_size;
static int status;
static uint64_t memory_pages; /* the Memory door's budget; 0: the machine's RAM */
static int shell = -1; /* -1: when stdin and stdout are terminals */

static void usage(void)
{
	fprintf(stderr, "usage: lemmings-hosted [--harts N] [--memory MIB] [--init PATH] "
			"[--programs LIST] [--shell | --no-shell] ARCHIVE\n"
			"  ARCHIVE: a cpio (newc) file or a folder\n"
			"  MIB: what the Memory door may hand out (default: the machine's RAM)\n");
	exit(2);
}

/* The first thread: publish the services, start init, and wait for every
 * thread it leads to to end. A Lemmings thread: its output goes through
 * the console (hosted/console.c), not stdio. */
static void boot(void *arg)
{
	uint64_t before = sched_live_threads();
	char detail[160];
	enum lm_err err;

	services_publish(archive, archive_size);
	hosted_net_publish(); /* the hosted runtime's own door */
	hosted_memory_publish(memory_pages); /* the Memory door's hosted home */
	err = program_start(init_path, list_path, NULL, detail, sizeof detail);
	if (err) {
		char line[320];

		fmt_snprintf(line, sizeof line, "init: cannot start %s: %s (%s)\n", init_path,
			     detail, lm_err_str(err));
		hosted_console_write(line, strlen(line));
		status = 1;
	}
	if (shell)
		hosted_shell();
	if (err)
		return;
	/* Until the programs' threads have ended: a look every 10 ms, so that
	 * an idle system wakes 100 times a second for it, not 1,000. */
	while (sched_live_threads() > before)
		timer_sleep_ns(10000000);
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nharts = cpus > 0 && cpus < 64 ? (unsigned)cpus : 1;
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--harts") && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end || n < 1 || n > 64) {
				fprintf(stderr, "lemmings-hosted: --harts %s: must be 1 to 64\n", argv[i]);
				return 2;
			}
			nharts = (unsigned)n;
		} else if (!strcmp(argv[i], "--memory") && i + 1 < argc) {
			char *end;
			long long n = strtoll(argv[++i], &end, 10);

			if (*end || n < 1 || n > (1ll << 30)) {
				fprintf(stderr, "lemmings-hosted: --memory %s: must be 1 to 2^30 MiB\n",
					argv[i]);
				return 2;
			}
			memory_pages = (uint64_t)n * 256;
		} else if (!strcmp(argv[i], "--init") && i + 1 < argc) {
			init_path = argv[++i];
		} else if (!strcmp(argv[i], "--programs") && i + 1 < argc) {
			list_path = argv[++i];
		} else if (!strcmp(argv[i], "--shell")) {
			shell = 1;
		} else if (!strcmp(argv[i], "--no-shell")) {
			shell = 0;
		} else if (argv[i][0] == '-' || path) {
			usage();
		} else {
			path = argv[i];
		}
	}
	if (!path)
		usage();
	if (shell < 0)
		shell = isatty(0) && isatty(1);
	hosted_raise_descriptor_limit();
	archive = hosted_load_archive(path, &archive_size);
	if (!archive)
		return 1;
	archive = hosted_net_file_backed(archive, archive_size); /* files go by sendfile */
	setvbuf(stdout, NULL, _IONBF, 0);
	hosted_run(nharts, boot, NULL);
	return status;
}
