/*
 * A folder packed as a boot archive (hosted/pack.c) keeps its symbolic
 * links as links and never follows them: a link out of the folder does not
 * bring in what it points to, and a link to a parent folder does not loop.
 * Runs on the host (a temporary folder under /tmp), read back with the
 * archive reader the services use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/archive.h"
#include "hosted/hosted.h"
#include "lib/test.h"

static char top[64];
static char path[256];

static const char *at(const char *rel)
{
	snprintf(path, sizeof path, "%s/%s", top, rel);
	return path;
}

static bool put_file(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");
	bool ok = f && fputs(text, f) >= 0;

	if (f)
		ok = !fclose(f) && ok;
	return ok;
}

static bool link_is(const struct archive *a, const char *name, const char *target)
{
	struct archive_entry e;

	return archive_lookup(a, name, &e) == LM_OK &&
	       (e.mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFLNK && e.size == strlen(target) &&
	       !memcmp(e.data, target, e.size);
}

TEST(hosted_pack, symlinks_are_stored_not_followed)
{
	static const char *const links[][2] = {
		{"in/outside", "../out"},   /* a folder outside the packed one */
		{"in/secret", "../out/marker"},
		{"in/up", ".."},            /* would loop if followed */
		{"in/here", "."},
		{"in/dangling", "no-such-file"},
	};
	struct archive a;
	struct archive_entry e;
	size_t size = 0;
	char *data;

	snprintf(top, sizeof top, "/tmp/lemmings-pack-test-XXXXXX");
	ASSERT(mkdtemp(top) != NULL);
	ASSERT(!mkdir(at("in"), 0755) && !mkdir(at("out"), 0755));
	ASSERT(put_file("in/file", "hello") && put_file("out/marker", "not for the archive"));
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		ASSERT(!symlink(links[i][1], at(links[i][0])));

	data = hosted_pack_folder(at("in"), &size);
	ASSERT(data != NULL);
	ASSERT_EQ(archive_open(&a, data, size, NULL, NULL), LM_OK);
	EXPECT(a.complete);
	EXPECT_EQ(a.count, 6); /* file and the five links, nothing more */
	EXPECT(archive_lookup(&a, "file", &e) == LM_OK && e.size == 5 &&
	       !memcmp(e.data, "hello", 5));
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		EXPECT(link_is(&a, links[i][0] + 3, links[i][1]));
	EXPECT(archive_lookup(&a, "outside/marker", &e) != LM_OK);
	EXPECT(archive_lookup(&a, "up/in/file", &e) != LM_OK);
	free(data);

	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		unlink(at(links[i][0]));
	unlink(at("in/file"));
	unlink(at("out/marker"));
	rmdir(at("in"));
	rmdir(at("out"));
	rmdir(top);
}
