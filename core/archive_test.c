/*
 * Host tests of the cpio reader. Archives are written here in memory by a
 * small newc writer (cpio_add), then cut and corrupted; the real boot
 * archive (build/archive.cpio, when built) is read too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/archive.h"
#include "lib/test.h"

struct cpio {
	uint8_t buf[1 << 16];
	size_t len;
	const char *magic; /* "070701" or "070702" */
	uint32_t ino;
};

struct warns {
	int count;
	char last[512];
};

static void collect(void *ctx, const char *message)
{
	struct warns *w = ctx;

	w->count++;
	snprintf(w->last, sizeof w->last, "%s", message);
}

static void pad4(struct cpio *c)
{
	while (c->len % 4)
		c->buf[c->len++] = 0;
}

/* Append one entry in newc form; returns the offset of its header. */
static size_t cpio_entry(struct cpio *c, const char *name, uint32_t mode, uint32_t nlink,
			 uint32_t ino, const void *data, size_t size)
{
	size_t at = c->len, namesize = strlen(name) + 1;
	uint32_t sum = 0;
	char hdr[160];

	for (size_t i = 0; i < size; i++)
		sum += ((const uint8_t *)data)[i];
	if (strcmp(c->magic ? c->magic : "070701", "070702"))
		sum = 0;
	snprintf(hdr, sizeof hdr,
		 "%s%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		 c->magic ? c->magic : "070701", ino, mode, 0, 0, nlink, 1700000000u,
		 size & 0xffffffff, 0, 0, 0, 0, namesize & 0xffffffff, sum);
	memcpy(c->buf + c->len, hdr, 110);
	c->len += 110;
	memcpy(c->buf + c->len, name, namesize);
	c->len += namesize;
	pad4(c);
	memcpy(c->buf + c->len, data, size);
	c->len += size;
	pad4(c);
	return at;
}

static size_t add_file(struct cpio *c, const char *name, const char *text)
{
	return cpio_entry(c, name, ARCHIVE_S_IFREG | 0644, 1, ++c->ino, text, strlen(text));
}

static size_t add_dir(struct cpio *c, const char *name)
{
	return cpio_entry(c, name, ARCHIVE_S_IFDIR | 0755, 2, ++c->ino, "", 0);
}

static size_t add_trailer(struct cpio *c)
{
	return cpio_entry(c, "TRAILER!!!", 0, 1, 0, "", 0);
}

/* The tree the build makes: ".", bin, bin/hello, etc, etc/programs. */
static void standard(struct cpio *c)
{
	memset(c, 0, sizeof *c);
	add_dir(c, ".");
	add_dir(c, "bin");
	add_file(c, "bin/hello", "\177ELF pretend");
	add_dir(c, "etc");
	add_file(c, "etc/programs", "/bin/hello\n");
	add_trailer(c);
}

static struct archive open_ok(const struct cpio *c, size_t len)
{
	struct archive a;
	struct warns w = {0};

	EXPECT_EQ(archive_open(&a, c->buf, len, collect, &w), LM_OK);
	EXPECT_EQ(w.count, 0);
	if (w.count)
		test_diag("unexpected warning: %s", w.last);
	return a;
}

/* The whole content of path as a string, or "<error name>". */
static const char *cat(const struct archive *a, const char *path)
{
	static char out[4096];
	struct archive_entry e;
	size_t got;
	enum lm_err err = archive_lookup(a, path, &e);

	if (!err)
		err = archive_read(a, e.id, 0, out, sizeof out - 1, &got);
	if (err)
		snprintf(out, sizeof out, "<%s>", lm_err_str(err));
	else
		out[got] = 0;
	return out;
}

/* The names in directory path, comma-separated, "d" after directories. */
static const char *ls(const struct archive *a, const char *path)
{
	static char out[1024];
	struct archive_entry dir, e;
	uint64_t cookie = 0;
	size_t used = 0;
	enum lm_err err = archive_lookup(a, path, &dir);
	int n = 0;

	out[0] = 0;
	if (err) {
		snprintf(out, sizeof out, "<%s>", lm_err_str(err));
		return out;
	}
	while ((err = archive_next(a, dir.id, &cookie, &e)) == LM_OK && n++ < 100) {
		EXPECT_EQ(e.parent, dir.id);
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%.*s%s", used ? "," : "",
					 (int)e.name_len, e.name,
					 (e.mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFDIR ? "/" : "");
	}
	EXPECT_EQ(err, LM_ERR_NOENT);
	return out;
}

TEST(archive, standard_tree)
{
	struct cpio *c = malloc(sizeof *c);
	struct archive a;
	struct archive_entry e, bin;

	standard(c);
	a = open_ok(c, c->len);
	EXPECT_EQ(a.count, 5);
	EXPECT(a.complete);
	EXPECT_EQ(archive_root(&a), ARCHIVE_ROOT_ID);
	EXPECT_STREQ(ls(&a, "/"), "bin/,etc/");
	EXPECT_STREQ(ls(&a, "bin"), "hello");
	EXPECT_STREQ(cat(&a, "/bin/hello"), "\177ELF pretend");
	EXPECT_STREQ(cat(&a, "etc/programs"), "/bin/hello\n");

	ASSERT_EQ(archive_find(&a, archive_root(&a), "bin", 3, &bin), LM_OK);
	EXPECT_EQ(bin.mode, ARCHIVE_S_IFDIR | 0755);
	EXPECT_EQ(bin.parent, ARCHIVE_ROOT_ID);
	EXPECT_EQ(bin.mtime, 1700000000u);
	ASSERT_EQ(archive_find(&a, bin.id, "hello", 5, &e), LM_OK);
	EXPECT_EQ(e.size, 12);
	EXPECT_EQ(e.parent, bin.id);
	EXPECT_EQ(e.name_len, 5);
	EXPECT(!memcmp(e.name, "hello", 5));
	EXPECT(e.data > c->buf && e.data + e.size <= c->buf + c->len);
	EXPECT_EQ(archive_find(&a, bin.id, "nope", 4, &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_find(&a, bin.id, "a/b", 3, &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_find(&a, bin.id, "..", 2, &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_find(&a, bin.id, ".", 1, &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_find(&a, bin.id, "", 0, &e), LM_ERR_INVAL);

	/* archive_get gives back what find gave. */
	ASSERT_EQ(archive_find(&a, bin.id, "hello", 5, &e), LM_OK);
	{
		struct archive_entry g;
		ASSERT_EQ(archive_get(&a, e.id, &g), LM_OK);
		EXPECT_EQ(g.id, e.id);
		EXPECT_EQ(g.parent, bin.id);
		EXPECT_EQ(g.size, e.size);
		EXPECT(g.data == e.data);
		ASSERT_EQ(archive_get(&a, ARCHIVE_ROOT_ID, &g), LM_OK);
		EXPECT_EQ(g.mode & ARCHIVE_S_IFMT, ARCHIVE_S_IFDIR);
		EXPECT_EQ(g.name_len, 0);
	}
	free(c);
}

TEST(archive, lookup_forms)
{
	struct cpio *c = malloc(sizeof *c);
	struct archive a;
	struct archive_entry e, hello;

	standard(c);
	a = open_ok(c, c->len);
	ASSERT_EQ(archive_lookup(&a, "bin/hello", &hello), LM_OK);
	static const char *const same[] = {"/bin/hello", "./bin/hello", "bin//hello",
					   "//bin/./hello/", "././bin/hello"};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		EXPECT_EQ(archive_lookup(&a, same[i], &e), LM_OK);
		EXPECT_EQ(e.id, hello.id);
	}
	static const char *const roots[] = {"", "/", ".", "./", "//./"};
	for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
		EXPECT_EQ(archive_lookup(&a, roots[i], &e), LM_OK);
		EXPECT_EQ(e.id, ARCHIVE_ROOT_ID);
	}
	EXPECT_EQ(archive_lookup(&a, "bin/", &e), LM_OK);
	EXPECT_EQ(e.mode & ARCHIVE_S_IFMT, ARCHIVE_S_IFDIR);
	EXPECT_EQ(archive_lookup(&a, "bin/hello/x", &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_lookup(&a, "bin/../etc", &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_lookup(&a, "nope", &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_lookup(&a, "bin/hell", &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_lookup(&a, "bin/helloo", &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_lookup(&a, "TRAILER!!!", &e), LM_ERR_NOENT);
	free(c);
}

TEST(archive, names_with_prefixes)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;

	add_dir(c, "./");
	add_dir(c, "./bin");
	add_file(c, "./bin/hello", "hi");
	add_file(c, "/etc/programs", "list");
	add_file(c, "//var//./log", "x");
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_STREQ(cat(&a, "bin/hello"), "hi");
	EXPECT_STREQ(cat(&a, "/etc/programs"), "list");
	EXPECT_STREQ(cat(&a, "var/log"), "x");
	EXPECT_STREQ(ls(&a, ""), "bin/,etc/,var/");
	free(c);
}

TEST(archive, implicit_directories)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry d, b, e, g;
	size_t first;

	first = add_file(c, "a/b/c.txt", "C");
	add_file(c, "a/d.txt", "D");
	add_file(c, "e/f", "F");
	add_file(c, "a/b/z", "Z");
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_STREQ(ls(&a, "/"), "a/,e/");
	EXPECT_STREQ(ls(&a, "a"), "b/,d.txt");
	EXPECT_STREQ(ls(&a, "a/b"), "c.txt,z");
	EXPECT_STREQ(cat(&a, "a/b/c.txt"), "C");
	EXPECT_STREQ(cat(&a, "/a/b/z"), "Z");
	EXPECT_STREQ(cat(&a, "a"), "<invalid argument>");

	ASSERT_EQ(archive_lookup(&a, "a", &d), LM_OK);
	EXPECT(d.id & ARCHIVE_IMPLICIT);
	EXPECT_EQ(d.id & 0xffffffffffull, first);
	EXPECT_EQ(d.mode, ARCHIVE_S_IFDIR | 0755);
	EXPECT_EQ(d.size, 0);
	EXPECT_EQ(d.parent, ARCHIVE_ROOT_ID);
	ASSERT_EQ(archive_find(&a, d.id, "b", 1, &b), LM_OK);
	EXPECT(b.id & ARCHIVE_IMPLICIT);
	EXPECT(b.id != d.id);
	EXPECT_EQ(b.parent, d.id);
	EXPECT_EQ(b.name_len, 1);
	EXPECT_EQ(b.name[0], 'b');
	ASSERT_EQ(archive_find(&a, b.id, "z", 1, &e), LM_OK);
	EXPECT_EQ(e.parent, b.id);
	ASSERT_EQ(archive_get(&a, b.id, &g), LM_OK);
	EXPECT_EQ(g.id, b.id);
	EXPECT_EQ(g.parent, d.id);
	/* An implicit id that is not the canonical one resolves to nothing. */
	EXPECT_EQ(archive_get(&a, b.id + 1, &g), LM_ERR_NOENT);
	EXPECT_EQ(archive_get(&a, ARCHIVE_IMPLICIT | 3ull << 40 | first, &g), LM_ERR_NOENT);
	EXPECT_EQ(archive_get(&a, ARCHIVE_IMPLICIT | first, &g), LM_ERR_NOENT);
	free(c);
}

TEST(archive, explicit_directory_after_its_files)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry d;
	size_t dir;

	add_file(c, "lib/x", "X");
	dir = add_dir(c, "lib");
	add_trailer(c);
	a = open_ok(c, c->len);
	ASSERT_EQ(archive_lookup(&a, "lib", &d), LM_OK);
	EXPECT_EQ(d.id, dir);
	EXPECT_STREQ(ls(&a, "/"), "lib/");
	EXPECT_STREQ(ls(&a, "lib"), "x");
	free(c);
}

TEST(archive, duplicates_the_later_wins)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;

	add_file(c, "x", "old");
	add_file(c, "y", "Y");
	add_file(c, "./x", "new");
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_STREQ(cat(&a, "x"), "new");
	EXPECT_STREQ(ls(&a, "/"), "x,y");
	free(c);
}

TEST(archive, files_are_not_directories)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry f, e;
	uint64_t cookie = 0;
	size_t orphan;

	add_file(c, "f", "file");
	orphan = add_file(c, "f/g", "orphan");
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_STREQ(ls(&a, "/"), "f");
	ASSERT_EQ(archive_lookup(&a, "f", &f), LM_OK);
	EXPECT_EQ(archive_find(&a, f.id, "g", 1, &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_next(&a, f.id, &cookie, &e), LM_ERR_INVAL);
	EXPECT_EQ(archive_lookup(&a, "f/g", &e), LM_ERR_INVAL);
	/* The orphan's own id does not resolve: its path leads elsewhere. */
	EXPECT_EQ(archive_get(&a, orphan, &e), LM_ERR_NOENT);
	free(c);
}

TEST(archive, dotdot_names_are_ignored)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry e;
	size_t bad;

	bad = add_file(c, "../evil", "E");
	add_file(c, "ok/../../x", "X");
	add_file(c, "fine", "F");
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_EQ(a.count, 3);
	EXPECT_STREQ(ls(&a, "/"), "fine");
	EXPECT_EQ(archive_lookup(&a, "evil", &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_lookup(&a, "ok", &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_get(&a, bad, &e), LM_ERR_NOENT);
	free(c);
}

TEST(archive, read_ranges)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry e, z, d;
	char buf[16];
	size_t got = 99;

	add_file(c, "ten", "0123456789");
	add_file(c, "zero", "");
	add_dir(c, "dir");
	add_trailer(c);
	a = open_ok(c, c->len);
	ASSERT_EQ(archive_lookup(&a, "ten", &e), LM_OK);
	EXPECT_EQ(archive_read(&a, e.id, 3, buf, 4, &got), LM_OK);
	EXPECT_EQ(got, 4);
	EXPECT(!memcmp(buf, "3456", 4));
	EXPECT_EQ(archive_read(&a, e.id, 8, buf, sizeof buf, &got), LM_OK);
	EXPECT_EQ(got, 2);
	EXPECT(!memcmp(buf, "89", 2));
	EXPECT_EQ(archive_read(&a, e.id, 10, buf, sizeof buf, &got), LM_OK);
	EXPECT_EQ(got, 0);
	EXPECT_EQ(archive_read(&a, e.id, UINT64_MAX, buf, sizeof buf, &got), LM_OK);
	EXPECT_EQ(got, 0);
	EXPECT_EQ(archive_read(&a, e.id, 0, buf, 0, &got), LM_OK);
	EXPECT_EQ(got, 0);

	ASSERT_EQ(archive_lookup(&a, "zero", &z), LM_OK);
	EXPECT_EQ(z.size, 0);
	EXPECT_EQ(archive_read(&a, z.id, 0, buf, sizeof buf, &got), LM_OK);
	EXPECT_EQ(got, 0);

	ASSERT_EQ(archive_lookup(&a, "dir", &d), LM_OK);
	EXPECT_EQ(archive_read(&a, d.id, 0, buf, sizeof buf, &got), LM_ERR_INVAL);
	EXPECT_EQ(archive_read(&a, ARCHIVE_ROOT_ID, 0, buf, sizeof buf, &got), LM_ERR_INVAL);
	EXPECT_EQ(archive_read(&a, e.id + 4, 0, buf, sizeof buf, &got), LM_ERR_NOENT);
	EXPECT_EQ(got, 0);
	free(c);
}

TEST(archive, bogus_ids_and_cookies)
{
	struct cpio *c = malloc(sizeof *c);
	struct archive a;
	struct archive_entry e, bin;
	uint64_t cookie;

	standard(c);
	a = open_ok(c, c->len);
	ASSERT_EQ(archive_lookup(&a, "bin", &bin), LM_OK);
	static const uint64_t bad[] = {1, 4, 111, 0x10000, ARCHIVE_ROOT_ID | 1,
				       ARCHIVE_IMPLICIT, 1ull << 40, UINT64_MAX};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		EXPECT_EQ(archive_get(&a, bad[i], &e), LM_ERR_NOENT);
		EXPECT_EQ(archive_find(&a, bad[i], "x", 1, &e), LM_ERR_NOENT);
		cookie = 0;
		EXPECT_EQ(archive_next(&a, bad[i], &cookie, &e), LM_ERR_NOENT);
	}
	/* The "." entry at offset 0 is the root, not an entry of its own. */
	EXPECT_EQ(archive_get(&a, 0, &e), LM_ERR_NOENT);
	/* The trailer is past the end of the entries. */
	EXPECT_EQ(archive_get(&a, a.end, &e), LM_ERR_NOENT);
	cookie = 5;
	EXPECT_EQ(archive_next(&a, bin.id, &cookie, &e), LM_ERR_INVAL);
	cookie = UINT64_MAX;
	EXPECT_EQ(archive_next(&a, bin.id, &cookie, &e), LM_ERR_INVAL);
	/* Listing past the end stays at the end. */
	cookie = 0;
	EXPECT_EQ(archive_next(&a, bin.id, &cookie, &e), LM_OK);
	EXPECT_EQ(archive_next(&a, bin.id, &cookie, &e), LM_ERR_NOENT);
	EXPECT_EQ(archive_next(&a, bin.id, &cookie, &e), LM_ERR_NOENT);
	free(c);
}

TEST(archive, crc_format)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct warns w = {0};
	size_t second;

	c->magic = "070702";
	add_file(c, "good", "checked");
	second = add_file(c, "bad", "checked too");
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_STREQ(cat(&a, "bad"), "checked too");

	c->buf[second + 116 + 3] ^= 1; /* a byte of "checked too" */
	EXPECT_EQ(archive_open(&a, c->buf, c->len, collect, &w), LM_OK);
	EXPECT_EQ(w.count, 1);
	EXPECT(strstr(w.last, "entry 1 (\"bad\")"));
	EXPECT(strstr(w.last, "checksum"));
	EXPECT_EQ(a.count, 1);
	EXPECT_EQ(a.end, second);
	EXPECT_STREQ(cat(&a, "good"), "checked");
	EXPECT_STREQ(cat(&a, "bad"), "<not found>");
	free(c);
}

TEST(archive, hard_links_share_the_last_links_data)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;

	cpio_entry(c, "one", ARCHIVE_S_IFREG | 0644, 2, 77, "", 0);
	add_file(c, "other", "O");
	cpio_entry(c, "two", ARCHIVE_S_IFREG | 0644, 2, 77, "shared", 6);
	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_STREQ(cat(&a, "one"), "shared");
	EXPECT_STREQ(cat(&a, "two"), "shared");
	EXPECT_STREQ(cat(&a, "other"), "O");
	free(c);
}

TEST(archive, symlinks_are_reported_not_followed)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry e;

	add_dir(c, "bin");
	cpio_entry(c, "sh", ARCHIVE_S_IFLNK | 0777, 1, 9, "bin", 3);
	add_trailer(c);
	a = open_ok(c, c->len);
	ASSERT_EQ(archive_lookup(&a, "sh", &e), LM_OK);
	EXPECT_EQ(e.mode & ARCHIVE_S_IFMT, ARCHIVE_S_IFLNK);
	EXPECT_STREQ(cat(&a, "sh"), "bin");
	EXPECT_EQ(archive_lookup(&a, "sh/x", &e), LM_ERR_INVAL);
	free(c);
}

TEST(archive, empty_archive)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;
	struct archive_entry e;

	add_trailer(c);
	a = open_ok(c, c->len);
	EXPECT_EQ(a.count, 0);
	EXPECT(a.complete);
	EXPECT_STREQ(ls(&a, "/"), "");
	EXPECT_EQ(archive_lookup(&a, "x", &e), LM_ERR_NOENT);
	/* The trailer's padding may be missing. */
	a = open_ok(c, 121);
	EXPECT(a.complete);
	free(c);
}

/* Cut the standard archive at every length: one warning naming the entry
 * whose header, name or data was cut (missing padding does not count), and
 * every entry before it intact. */
TEST(archive, truncated_everywhere)
{
	struct cpio *c = malloc(sizeof *c);
	static const char *const paths[] = {"/", "bin", "bin/hello", "etc", "etc/programs"};
	size_t starts[6], done[6];
	struct archive a;
	struct archive_entry e;

	memset(c, 0, sizeof *c);
	starts[0] = add_dir(c, ".");
	done[0] = c->len;
	starts[1] = add_dir(c, "bin");
	done[1] = c->len;
	starts[2] = add_file(c, "bin/hello", "\177ELF pretend");
	done[2] = c->len;
	starts[3] = add_dir(c, "etc");
	done[3] = c->len;
	starts[4] = add_file(c, "etc/programs", "/bin/hello\n");
	done[4] = c->len - 1; /* one byte of padding */
	starts[5] = add_trailer(c);
	done[5] = starts[5] + 110 + 11;
	for (size_t cut = 0; cut < c->len; cut++) {
		struct warns w = {0};
		char want[64];
		size_t bad = 0;
		enum lm_err err = archive_open(&a, c->buf, cut, collect, &w);

		while (bad < 6 && done[bad] <= cut)
			bad++;
		if (bad == 6) {
			EXPECT_EQ(err, LM_OK);
			EXPECT_EQ(w.count, 0);
			EXPECT(a.complete);
			continue;
		}
		EXPECT_EQ(err, bad ? LM_OK : LM_ERR_FORMAT);
		ASSERT_EQ(w.count, 1);
		snprintf(want, sizeof want, "entry %zu", bad);
		EXPECT(strstr(w.last, want));
		snprintf(want, sizeof want, "at offset 0x%zx:", starts[bad]);
		if (!strstr(w.last, want))
			test_diag("cut %zu: %s (want %s)", cut, w.last, want);
		EXPECT(strstr(w.last, want));
		EXPECT_EQ(a.count, bad);
		EXPECT(!a.complete);
		for (size_t i = 1; i < 5; i++)
			EXPECT_EQ(archive_lookup(&a, paths[i], &e), i < bad ? LM_OK : LM_ERR_NOENT);
		if (bad > 2)
			EXPECT_STREQ(cat(&a, "bin/hello"), "\177ELF pretend");
		if (bad > 4)
			EXPECT_STREQ(cat(&a, "etc/programs"), "/bin/hello\n");
		EXPECT_STREQ(ls(&a, "/"), bad > 3 ? "bin/,etc/" : bad > 1 ? "bin/" : "");
	}
	free(c);
}

/* Open c (already corrupted), expect one warning containing what. */
static struct archive open_bad(const struct cpio *c, const char *what, enum lm_err want)
{
	struct archive a;
	struct warns w = {0};

	EXPECT_EQ(archive_open(&a, c->buf, c->len, collect, &w), want);
	EXPECT_EQ(w.count, 1);
	if (!strstr(w.last, what))
		test_diag("warning \"%s\" does not mention \"%s\"", w.last, what);
	EXPECT(strstr(w.last, what));
	return a;
}

/* Where the entry named name starts. */
static size_t header_of(const struct cpio *c, const char *name)
{
	for (size_t off = 0; off + 110 < c->len; off += 4) {
		if (!memcmp(c->buf + off, "07070", 5) && !strcmp((char *)c->buf + off + 110, name))
			return off;
	}
	return SIZE_MAX;
}

static void set_field(struct cpio *c, size_t hdr, int field, const char *hex8)
{
	memcpy(c->buf + hdr + 6 + 8 * field, hex8, 8);
}

TEST(archive, corrupt_headers)
{
	struct cpio *c = malloc(sizeof *c);
	struct archive a;
	size_t hello;
	char want[128];

	standard(c);
	hello = header_of(c, "bin/hello");
	ASSERT(hello < c->len);

	memcpy(c->buf + hello, "070707", 6); /* the old portable format */
	snprintf(want, sizeof want, "entry 2 at offset 0x%zx: bad magic \"070707\"", hello);
	a = open_bad(c, want, LM_OK);
	EXPECT_EQ(a.count, 2);
	EXPECT_EQ(a.end, hello);
	EXPECT_STREQ(ls(&a, "/"), "bin/");
	EXPECT_STREQ(ls(&a, "bin"), "");

	standard(c);
	set_field(c, hello, 6, "0000x00C");
	open_bad(c, "bad hex digit in c_filesize", LM_OK);

	standard(c);
	set_field(c, hello, 1, "000081A ");
	open_bad(c, "bad hex digit in c_mode", LM_OK);

	standard(c);
	set_field(c, hello, 11, "FFFFFFFF");
	open_bad(c, "name size 4294967295 over the 4096-byte limit", LM_OK);

	standard(c);
	set_field(c, hello, 11, "00000000");
	open_bad(c, "name size 0", LM_OK);

	standard(c);
	set_field(c, hello, 11, "00000FFF");
	open_bad(c, "name (4095 bytes) runs past the end", LM_OK);

	standard(c);
	set_field(c, hello, 11, "00000005"); /* "bin/h", no NUL */
	snprintf(want, sizeof want, "(\"bin/h\") at offset 0x%zx: name not NUL-terminated", hello);
	open_bad(c, want, LM_OK);

	standard(c);
	set_field(c, hello, 6, "7FFFFFFF");
	snprintf(want, sizeof want, "entry 2 (\"bin/hello\") at offset 0x%zx: file data (2147483647 bytes",
		 hello);
	a = open_bad(c, want, LM_OK);
	EXPECT_EQ(a.count, 2);

	standard(c);
	memcpy(c->buf, "\x1f\x8b\x08\x00", 4);
	a = open_bad(c, "entry 0 at offset 0x0: bad magic \"????01\"", LM_ERR_FORMAT);
	EXPECT(a.count == 0 && a.end == 0);
	EXPECT_STREQ(ls(&a, "/"), "");
	open_bad(c, "gzip-compressed", LM_ERR_FORMAT);

	/* Names are printed with control bytes replaced. */
	memset(c, 0, sizeof *c);
	add_file(c, "ab\033[2Jc", "x");
	c->len -= 4; /* cut the data */
	open_bad(c, "(\"ab?[2Jc\")", LM_ERR_FORMAT);
	free(c);
}

TEST(archive, missing_trailer)
{
	struct cpio *c = calloc(1, sizeof *c);
	struct archive a;

	add_dir(c, "bin");
	add_file(c, "bin/x", "X");
	a = open_bad(c, "entry 2 at offset 0x", LM_OK);
	EXPECT(!a.complete);
	EXPECT_STREQ(cat(&a, "bin/x"), "X");
	open_bad(c, "ends without a trailer", LM_OK);

	/* Anything after the trailer is ignored. */
	add_trailer(c);
	add_file(c, "after", "A");
	a = open_ok(c, c->len);
	EXPECT_EQ(a.count, 2);
	EXPECT_STREQ(ls(&a, "/"), "bin/");

	/* No callback: no warning, same result. */
	EXPECT_EQ(archive_open(&a, c->buf, 3, NULL, NULL), LM_ERR_FORMAT);
	EXPECT_EQ(archive_open(&a, NULL, 0, NULL, NULL), LM_ERR_FORMAT);
	free(c);
}

TEST(archive, real_boot_archive)
{
	size_t size, hello_size = 0, list_size = 0, got;
	uint8_t *cpio = test_read_file("build/archive.cpio", &size), *hello, *list, *buf;
	struct archive a;
	struct archive_entry e;
	struct warns w = {0};

	if (!cpio) {
		test_diag("skipped: build/archive.cpio is not built (make build/archive.cpio)");
		return;
	}
	ASSERT_EQ(archive_open(&a, cpio, size, collect, &w), LM_OK);
	EXPECT_EQ(w.count, 0);
	EXPECT(a.complete);
	EXPECT(strstr(ls(&a, "/"), "bin/"));
	EXPECT(strstr(ls(&a, "/"), "etc/"));
	test_diag("/bin: %s", ls(&a, "/bin"));
	hello = test_read_file("build/programs/hello", &hello_size);
	if (hello) {
		ASSERT_EQ(archive_lookup(&a, "/bin/hello", &e), LM_OK);
		EXPECT_EQ(e.size, hello_size);
		buf = malloc(hello_size);
		EXPECT_EQ(archive_read(&a, e.id, 0, buf, hello_size, &got), LM_OK);
		EXPECT_EQ(got, hello_size);
		EXPECT(!memcmp(buf, hello, hello_size));
		free(buf);
		free(hello);
	}
	list = test_read_file("programs/init.list", &list_size);
	if (list) {
		list[list_size] = 0;
		EXPECT_STREQ(cat(&a, "etc/programs"), (char *)list);
		free(list);
	}
	free(cpio);
}
