/*
 * The boot archive: a read-only view of a cpio archive in the "newc" format
 * (magic 070701, or 070702 with checksums), as Linux's initramfs. Portable:
 * the kernel reads its Multiboot module with it, the hosted runtime a file.
 *
 * Nothing is allocated and nothing is written to the archive: every
 * operation walks the headers again (archives are small, so O(entries) and
 * sometimes O(entries^2) per call is fine). archive_open validates every
 * header once; the later operations only ever look at the entries it
 * accepted, still bounds-checking every read, so no call reads outside the
 * buffer or loops forever, whatever the bytes are.
 *
 * Names: a leading "./" or "/" is ignored, as are empty and "." components;
 * "." (or "/", "") is the root. A file whose directories have no entries of
 * their own (an archive made from a file list) still has them: implicit
 * directories. If the same path appears twice, the later entry wins, as in
 * initramfs. Entries whose names contain a ".." component, or that follow
 * the trailer, are ignored. Symbolic links are reported (mode S_IFLNK, the
 * target as data) but not followed.
 *
 * Ids are stable handles: an entry's id is the offset of its header; the
 * root and implicit directories have flagged ids (ARCHIVE_ROOT_ID,
 * ARCHIVE_IMPLICIT). Any id or cookie coming back from outside is checked
 * before use.
 *
 * No locking: the archive is never modified after archive_open, so any
 * number of threads may use it at once.
 */
#ifndef CORE_ARCHIVE_H
#define CORE_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include <lemmings/err.h>

/* cpio mode bits (the file type part). */
#define ARCHIVE_S_IFMT 0170000u
#define ARCHIVE_S_IFDIR 0040000u
#define ARCHIVE_S_IFREG 0100000u
#define ARCHIVE_S_IFLNK 0120000u

#define ARCHIVE_NAME_MAX 4096          /* longest name, with its NUL (PATH_MAX) */
#define ARCHIVE_SIZE_MAX (1ULL << 40)  /* offsets must fit in an id */

/* Id layout: bit 63 the root; bit 62 an implicit directory, bits 40-61 its
 * depth (components), bits 0-39 the offset of the first entry under it. */
#define ARCHIVE_ROOT_ID (1ULL << 63)
#define ARCHIVE_IMPLICIT (1ULL << 62)

/* Called at most once per archive_open, with a one-line message. */
typedef void archive_warn_fn(void *ctx, const char *message);

struct archive {
	const uint8_t *data;
	size_t size;
	size_t end;      /* entries are the headers in [0, end) */
	uint32_t count;  /* how many (the trailer not counted) */
	int complete;    /* the trailer was found */
};

struct archive_entry {
	uint64_t id;
	uint64_t parent;     /* id of the directory holding it (the root's is the root) */
	const char *name;    /* last path component, not NUL-terminated */
	size_t name_len;
	uint32_t mode;       /* type and permission bits */
	uint64_t size;       /* file size in bytes (0 for directories) */
	uint64_t mtime;      /* seconds since 1970 (0 for implicit directories) */
	const uint8_t *data; /* the file's bytes inside the archive, or NULL */
};

/*
 * Walk and validate every header. The first bad header (bad magic, bad hex
 * field, name size 0, over ARCHIVE_NAME_MAX or past the end, name without its
 * NUL, file data past the end, bad 070702 checksum) or a missing trailer
 * gives one warning naming the entry (index, and name when readable), its
 * offset and what is wrong; the entries before it are kept. Returns LM_OK
 * when at least one header was good, LM_ERR_FORMAT when not even the first
 * was (not a cpio archive); *a is usable (perhaps empty) either way. warn may
 * be NULL.
 */
enum lm_err archive_open(struct archive *a, const void *data, size_t size,
			 archive_warn_fn *warn, void *ctx);

uint64_t archive_root(const struct archive *a);

/* The entry with this id: LM_ERR_NOENT when the id names none. */
enum lm_err archive_get(const struct archive *a, uint64_t id, struct archive_entry *out);

/*
 * Find name (one component, len bytes) in directory dir. LM_ERR_NOENT when
 * absent or dir is not an id; LM_ERR_INVAL when dir is not a directory or
 * name is empty, ".", ".." or contains '/'.
 */
enum lm_err archive_find(const struct archive *a, uint64_t dir, const char *name,
			 size_t len, struct archive_entry *out);

/*
 * A whole path ("/bin/hello", "bin/hello", "./etc/programs"); "/" and "" are
 * the root. LM_ERR_NOENT when a component is absent; LM_ERR_INVAL when one
 * before the last is not a directory, or for a ".." component (resolving
 * ".." is the caller's business).
 */
enum lm_err archive_lookup(const struct archive *a, const char *path,
			   struct archive_entry *out);

/*
 * The direct children of dir, each once, in archive order: set *cookie = 0
 * first; each call fills *out and advances *cookie; LM_ERR_NOENT after the
 * last. LM_ERR_INVAL when dir is not a directory or the cookie is not one
 * this function gave.
 */
enum lm_err archive_next(const struct archive *a, uint64_t dir, uint64_t *cookie,
			 struct archive_entry *out);

/*
 * Copy up to len bytes of file id from offset into buf; *got is how many
 * (0 at or after the end). LM_ERR_INVAL for a directory, LM_ERR_NOENT for
 * an id that names nothing.
 */
enum lm_err archive_read(const struct archive *a, uint64_t id, uint64_t offset,
			 void *buf, size_t len, size_t *got);

#endif
