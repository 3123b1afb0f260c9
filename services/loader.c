/*
 * The loader door (sdk/idl/loader.idl): ELF programs placed anywhere in the
 * shared address space (core/elf.c checks, copies and relocates; the
 * platform provides the memory), and started in a thread of their own.
 *
 * A started program gets one page holding its struct lm_start, its argv
 * and their strings (sdk/include/lemmings/start.h). The page lives as long
 * as the program's first thread: program_thread frees it when main
 * returns. The program's image stays: its doors may be in the hallway, and
 * doors are never removed.
 */
#include <lemmings/loader.h>
#include <lemmings/start.h>

#include "core/elf.h"
#include "core/platform.h"
#include "core/thread.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/archive.h"
#include "services/loader.h"
#include "services/service.h"

#define START_PAGE 4096
#define ARGS_MAX 32

/* What the page handed to a program's first thread holds. */
struct start_page {
	struct lm_start start;
	uint64_t entry;
	char *argv[ARGS_MAX + 2];
	char strings[]; /* up to the end of the page */
};

static enum lm_err env_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	return plat_program_reserve(size, base);
}

static enum lm_err env_protect(void *ctx, uint64_t addr, uint64_t len, unsigned prot)
{
	return plat_program_protect(addr, len, prot);
}

static void env_release(void *ctx, uint64_t base, uint64_t size)
{
	plat_program_release(base, size);
}

static const struct elf_env env = {
	.reserve = env_reserve,
	.protect = env_protect,
	.release = env_release,
};

_Static_assert((int)ELF_PROT_READ == PLAT_PROT_READ && (int)ELF_PROT_WRITE == PLAT_PROT_WRITE &&
		       (int)ELF_PROT_EXEC == PLAT_PROT_EXEC,
	       "the loader passes protections through unchanged");

enum lm_err program_load(const void *file, size_t size, struct elf_image *out, char *detail,
			size_t detail_size)
{
	return elf_load(file, size, &env, out, detail, detail_size);
}

static void program_thread(void *arg)
{
	struct start_page *p = arg;
	void (*entry)(struct lm_start *) = (void (*)(struct lm_start *))(uintptr_t)p->entry;

	entry(&p->start);
	if (p->start.exit_code)
		service_log("%s: ended with status %d\n", p->argv[0], p->start.exit_code);
	plat_page_free(p);
}

/* Split args at spaces into p->argv after argv[0] = path; false if they do
 * not fit the page. */
static bool build_argv(struct start_page *p, const char *path, const char *args)
{
	size_t room = START_PAGE - sizeof *p, used = 0;
	int argc = 0;
	const char *word = path;
	size_t len = strlen(path);

	for (;;) {
		if (len) {
			if (argc == ARGS_MAX + 1 || used + len + 1 > room)
				return false;
			p->argv[argc++] = p->strings + used;
			memcpy(p->strings + used, word, len);
			p->strings[used + len] = 0;
			used += len + 1;
		}
		if (!args)
			break;
		while (*args == ' ' || *args == '\t')
			args++;
		if (!*args)
			break;
		word = args;
		while (*args && *args != ' ' && *args != '\t')
			args++;
		len = (size_t)(args - word);
	}
	p->argv[argc] = NULL;
	p->start.argc = argc;
	p->start.argv = p->argv;
	return true;
}

/* Why path is not a program in the archive, in words that agree with err
 * (archive_lookup's: NOENT, absent; INVAL, a ".." or a file used as a
 * directory; LM_OK, found but not a regular file). */
static const char *lookup_failure(const char *path, enum lm_err err)
{
	const char *c = path;

	if (err == LM_ERR_NOENT)
		return "no such file in the boot archive";
	if (!err)
		return "not a regular file";
	for (; *c; c++)
		if (c[0] == '.' && c[1] == '.' && (c == path || c[-1] == '/') &&
		    (!c[2] || c[2] == '/'))
			return "'..' in a boot archive path is not resolved: give the path from /";
	if (err == LM_ERR_INVAL)
		return "a part of the path before the last is a file, not a directory";
	return lm_err_str(err);
}

enum lm_err program_start(const char *path, const char *args, uint64_t *handle,
			 char *detail, size_t detail_size)
{
	struct archive_entry e;
	struct elf_image img;
	struct start_page *p;
	struct thread_opts o = {.entry = program_thread, .priority = PRIO_REGULAR, .hart = -1};
	const char *base;
	enum lm_err err;

	if (detail_size)
		detail[0] = 0;
	err = archive_lookup(services_archive(), path, &e);
	if (err || (e.mode & ARCHIVE_S_IFMT) != ARCHIVE_S_IFREG) {
		fmt_snprintf(detail, detail_size, "%s", lookup_failure(path, err));
		return err ? err : LM_ERR_INVAL;
	}
	/* The start record first: a start that fails on its arguments or
	 * for lack of memory must not have placed the image. */
	p = plat_page_alloc();
	if (!p) {
		fmt_snprintf(detail, detail_size, "no memory for the start record");
		return LM_ERR_NOMEM;
	}
	if (!build_argv(p, path, args)) {
		plat_page_free(p);
		fmt_snprintf(detail, detail_size, "arguments too long (at most %d words, %zu bytes)",
			     ARGS_MAX, (size_t)(START_PAGE - sizeof *p));
		return LM_ERR_RANGE;
	}
	err = program_load(e.data, (size_t)e.size, &img, detail, detail_size);
	if (err) {
		plat_page_free(p);
		return err;
	}
	p->start.version = LM_START_VERSION;
	p->start.base = img.base;
	p->entry = img.entry;
	base = strrchr(path, '/');
	o.name = base ? base + 1 : path;
	o.arg = p;
	o.handle = handle;
	err = thread_spawn(&o, NULL);
	if (err) {
		/* Nothing ran in the image: give it back with the record. */
		plat_program_release(img.base, img.size);
		plat_page_free(p);
		fmt_snprintf(detail, detail_size, "cannot start its thread: %s", lm_err_str(err));
	}
	return err;
}

static loader_status door_load(const uint8_t *file, uint64_t size, struct loader_image *out,
			       uint8_t *detail, uint64_t detail_size)
{
	struct elf_image img;
	enum lm_err err;

	if (!file || !out || (!detail && detail_size))
		return LM_ERR_INVAL;
	err = program_load(file, (size_t)size, &img, (char *)detail, (size_t)detail_size);
	if (!err)
		*out = (struct loader_image){.base = img.base, .size = img.size, .entry = img.entry};
	return err;
}

static loader_start_result door_start(const uint8_t *path, const uint8_t *args, uint8_t *detail,
				      uint64_t detail_size)
{
	uint64_t handle;
	enum lm_err err;

	if (!path || (!detail && detail_size))
		return LM_ERR_INVAL;
	err = program_start((const char *)path, (const char *)args, &handle, (char *)detail,
			   (size_t)detail_size);
	return err ? (loader_start_result)err : (loader_start_result)handle;
}

static const struct loader_door loader_door = {
	.header = LOADER_DOOR_HEADER,
	.load = door_load,
	.start = door_start,
};

void services_loader_publish(void)
{
	service_register(&loader_door, "loader");
}
