/* libFuzzer: any bytes as a boot archive. archive_open warns at most once;
 * then every entry reachable from the root goes through get, find, lookup,
 * next and read, which must agree with each other and stay inside the
 * buffer. Each of those walks all the headers, so the number of entries
 * visited is capped at about WORK / entries to keep inputs fast. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/archive.h"

#define WORK 1024
#define MAX_DEPTH 24

struct walk {
	const struct archive *a;
	const uint8_t *data;
	size_t size;
	int visited, budget;
	char path[MAX_DEPTH * 64 + 64];
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static void count_warning(void *ctx, const char *message)
{
	check(strlen(message) < 512);
	++*(int *)ctx;
}

static int inside(const struct walk *w, const void *p, uint64_t len)
{
	const uint8_t *b = p;

	return b >= w->data && len <= w->size && (size_t)(b - w->data) <= w->size - len;
}

static void visit_file(struct walk *w, const struct archive_entry *e)
{
	static uint8_t buf[1 << 16];
	size_t got;

	check(!e->size || inside(w, e->data, e->size));
	check(archive_read(w->a, e->id, 0, buf, sizeof buf, &got) == LM_OK);
	check(got == (e->size < sizeof buf ? e->size : sizeof buf));
	check(!memcmp(buf, e->data, got));
	check(archive_read(w->a, e->id, e->size, buf, sizeof buf, &got) == LM_OK && got == 0);
	check(archive_read(w->a, e->id, UINT64_MAX, buf, 1, &got) == LM_OK && got == 0);
	if (e->size > 1) {
		check(archive_read(w->a, e->id, e->size - 1, buf, 8, &got) == LM_OK && got == 1);
		check(buf[0] == e->data[e->size - 1]);
	}
}

static void visit_dir(struct walk *w, uint64_t dir, size_t path_len, int depth)
{
	struct archive_entry e, g;
	uint64_t cookie = 0, last = 0;
	uint32_t n = 0;
	size_t got;
	enum lm_err err;

	check(archive_read(w->a, dir, 0, w->path, 1, &got) == LM_ERR_INVAL && got == 0);
	while ((err = archive_next(w->a, dir, &cookie, &e)) == LM_OK) {
		check(cookie > last); /* listings progress */
		last = cookie;
		check(++n <= w->a->count);
		check(e.parent == dir);
		check(e.name_len > 0 && inside(w, e.name, e.name_len));
		check(archive_get(w->a, e.id, &g) == LM_OK && g.id == e.id && g.parent == dir);
		check(archive_find(w->a, dir, e.name, e.name_len, &g) == LM_OK && g.id == e.id);
		if (++w->visited > w->budget)
			return;
		if (path_len + e.name_len + 2 < sizeof w->path) {
			w->path[path_len] = '/';
			memcpy(w->path + path_len + 1, e.name, e.name_len);
			w->path[path_len + 1 + e.name_len] = 0;
			/* A name with a NUL inside cannot be looked up whole. */
			if (!memchr(e.name, 0, e.name_len))
				check(archive_lookup(w->a, w->path, &g) == LM_OK && g.id == e.id);
		}
		if ((e.mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFDIR) {
			check(!e.size && !e.data);
			if (depth < MAX_DEPTH && path_len + e.name_len + 2 < sizeof w->path)
				visit_dir(w, e.id, path_len + 1 + e.name_len, depth + 1);
		} else {
			visit_file(w, &e);
		}
		w->path[path_len] = 0;
	}
	check(err == LM_ERR_NOENT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive a;
	struct archive_entry e;
	struct walk w = {&a, data, size, 0, 0, ""};
	int warnings = 0;
	enum lm_err err = archive_open(&a, data, size, count_warning, &warnings);

	check(warnings == (a.complete ? 0 : 1));
	check(err == (a.complete || a.count ? LM_OK : LM_ERR_FORMAT));
	check(a.end <= size + 3 && a.count <= size / 110);
	w.budget = WORK / (a.count + 1) + 4;
	visit_dir(&w, archive_root(&a), 0, 0);

	/* Ids and paths from the input itself go nowhere bad. */
	for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
		uint64_t id;
		memcpy(&id, data + i, 8);
		if (archive_get(&a, id, &e) == LM_OK)
			check(archive_get(&a, e.id, &e) == LM_OK && e.id == id);
	}
	if (size) {
		char path[64];
		size_t n = size < sizeof path - 1 ? size : sizeof path - 1;
		memcpy(path, data, n);
		path[n] = 0;
		if (archive_lookup(&a, path, &e) == LM_OK && e.id != ARCHIVE_ROOT_ID)
			check(inside(&w, e.name, e.name_len));
	}
	return 0;
}
