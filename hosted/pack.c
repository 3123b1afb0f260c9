/*
 * The boot archive of the hosted runtime, from a cpio file or from a folder:
 * a folder's files and folders are packed in memory into the same cpio
 * "newc" format the build makes with cpio(1), so the archive service reads
 * both alike.
 * Names are relative ("bin/hello"); entries are sorted within a folder, so
 * the image does not depend on the order readdir gives.
 *
 * Symbolic links are stored as links (mode S_IFLNK, the target as data,
 * as cpio(1) does) and never followed: a link to "/" or to a parent folder
 * inside the folder must not pack the host's file system, or loop. Other
 * kinds of file (devices, sockets, pipes) are skipped with one warning.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosted/hosted.h"

#define DEPTH_MAX 32

struct image {
	char *data;
	size_t size, cap;
	unsigned ino;
};

/* Room for n more bytes and the padding after them. */
static int reserve(struct image *im, size_t n)
{
	if (im->size + n + 4 > im->cap) {
		size_t cap = (im->cap + n + 4) * 2;
		char *d = realloc(im->data, cap);

		if (!d)
			return -1;
		im->data = d;
		im->cap = cap;
	}
	return 0;
}

static int put(struct image *im, const void *p, size_t n)
{
	if (reserve(im, n))
		return -1;
	memcpy(im->data + im->size, p, n);
	im->size += n;
	while (im->size % 4) /* names and data are padded to 4 bytes */
		im->data[im->size++] = 0;
	return 0;
}

static int entry(struct image *im, const char *name, unsigned mode, const void *data,
		 size_t len)
{
	char head[128];
	size_t name_len = strlen(name) + 1;

	if (len > 0xffffffffu) {
		fprintf(stderr, "lemmings-hosted: %s: larger than cpio's 4 GiB limit\n", name);
		return -1;
	}
	snprintf(head, sizeof head, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++im->ino, mode, 0u, 0u, 1u, 0u, (unsigned)len, 0u, 0u, 0u, 0u,
		 (unsigned)name_len, 0u);
	/* The header and the name are padded together. */
	if (reserve(im, 110))
		return -1;
	memcpy(im->data + im->size, head, 110);
	im->size += 110;
	if (put(im, name, name_len))
		return -1;
	return len ? put(im, data, len) : 0;
}

/* A symbolic link, as a link: its target is its data. */
static int link_entry(struct image *im, const char *path, const char *name)
{
	char target[4096];
	ssize_t len = readlink(path, target, sizeof target);

	if (len < 0 || (size_t)len == sizeof target) {
		fprintf(stderr, "lemmings-hosted: %s: %s\n", path,
			len < 0 ? strerror(errno) : "link target too long");
		return -1;
	}
	return entry(im, name, 0120777, target, (size_t)len);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int pack(struct image *im, const char *root, const char *rel, int depth)
{
	char path[8192], name[4096];
	struct dirent **list;
	int n, err = 0;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	if (depth > DEPTH_MAX) {
		fprintf(stderr, "lemmings-hosted: %s: folders nested too deep\n", path);
		return -1;
	}
	n = scandir(path, &list, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "lemmings-hosted: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;
		struct stat st;

		if (err || !strcmp(d, ".") || !strcmp(d, ".."))
			continue;
		snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", d);
		snprintf(path, sizeof path, "%s/%s", root, name);
		if (lstat(path, &st)) {
			fprintf(stderr, "lemmings-hosted: %s: %s\n", path, strerror(errno));
			err = -1;
		} else if (S_ISLNK(st.st_mode)) {
			err = link_entry(im, path, name);
		} else if (S_ISDIR(st.st_mode)) {
			err = entry(im, name, 0040755, NULL, 0) ? -1 : pack(im, root, name, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			FILE *f = fopen(path, "rb");
			char *buf = malloc((size_t)st.st_size + 1);

			if (!f || !buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
				fprintf(stderr, "lemmings-hosted: %s: cannot read it\n", path);
				err = -1;
			} else {
				err = entry(im, name, 0100644, buf, (size_t)st.st_size);
			}
			free(buf);
			if (f)
				fclose(f);
		} else {
			fprintf(stderr, "lemmings-hosted: %s: not a file, folder or link; "
					"left out of the archive\n", path);
		}
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return err;
}

void *hosted_pack_folder(const char *dir, size_t *size)
{
	struct image im = {0};

	if (pack(&im, dir, "", 0) || entry(&im, "TRAILER!!!", 0, NULL, 0)) {
		free(im.data);
		return NULL;
	}
	*size = im.size;
	return im.data;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long len = -1;

	if (f && !fseek(f, 0, SEEK_END) && (len = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (data = malloc((size_t)len + 1)) && fread(data, 1, (size_t)len, f) == (size_t)len) {
		*size = (size_t)len;
	} else {
		fprintf(stderr, "lemmings-hosted: %s: %s\n", path,
			errno ? strerror(errno) : "cannot read it");
		free(data);
		data = NULL;
	}
	if (f)
		fclose(f);
	return data;
}

void *hosted_load_archive(const char *path, size_t *size)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "lemmings-hosted: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	return S_ISDIR(st.st_mode) ? hosted_pack_folder(path, size) : read_file(path, size);
}

