/*
 * The cpio (newc) reader; the format and the rules are in archive.h.
 *
 * An entry is a 110-byte header of ASCII fields (a 6-byte magic, then 13
 * fields of 8 hex digits), the NUL-terminated name (header and name padded
 * together to a multiple of 4 bytes from the archive's start), then the
 * file's data (padded to 4 the same way). The entry named "TRAILER!!!" ends
 * the archive.
 *
 * archive_open walks the headers once and records where the good ones end
 * (a->end); every later walk stops there, so the header parser only ever
 * sees headers it has accepted before, and still bounds-checks them. A
 * directory is described by a path and a depth: its children are the
 * entries whose first depth components equal the path's. That covers the
 * root (depth 0), directories with entries and implicit ones alike.
 */
#include "core/archive.h"
#include "lib/fmt.h"
#include "lib/string.h"

#define HDR_SIZE 110
#define OFFSET_MASK (ARCHIVE_SIZE_MAX - 1)
#define DEPTH_SHIFT 40
#define DEPTH_MASK 0x3fffffu

enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
	F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"c_ino", "c_mode", "c_uid", "c_gid", "c_nlink", "c_mtime", "c_filesize",
	"c_devmajor", "c_devminor", "c_rdevmajor", "c_rdevminor", "c_namesize",
	"c_check",
};

/* One parsed header. name is NULL until it is known to be readable. */
struct hdr {
	size_t off, data_off, next;
	const char *name;
	size_t name_len;
	uint32_t f[F_COUNT];
};

/* A resolved entry; for a directory, path and depth select its children. */
struct node {
	struct archive_entry e;
	const char *path;
	size_t path_len;
	uint32_t depth;
	int is_dir;
};

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* Hex digit values plus one; 0 for anything else. */
static const uint8_t hex_digits[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Eight hex digits into *v; 0 when one is not a hex digit. Written out
 * without a loop: every walk parses every header again. */
static int hex8(const uint8_t *p, uint32_t *v)
{
	/* A non-digit's value wraps to 0xffffffff, which sets bits above 0xf. */
	uint32_t d0 = hex_digits[p[0]] - 1u, d1 = hex_digits[p[1]] - 1u;
	uint32_t d2 = hex_digits[p[2]] - 1u, d3 = hex_digits[p[3]] - 1u;
	uint32_t d4 = hex_digits[p[4]] - 1u, d5 = hex_digits[p[5]] - 1u;
	uint32_t d6 = hex_digits[p[6]] - 1u, d7 = hex_digits[p[7]] - 1u;

	*v = (d0 & 0xf) << 28 | (d1 & 0xf) << 24 | (d2 & 0xf) << 20 | (d3 & 0xf) << 16 |
	     (d4 & 0xf) << 12 | (d5 & 0xf) << 8 | (d6 & 0xf) << 4 | (d7 & 0xf);
	return (d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7) <= 0xf;
}

static int is_trailer(const struct hdr *h)
{
	return h->name_len == 10 && !memcmp(h->name, "TRAILER!!!", 10);
}

/* Copy up to max bytes of s into out (NUL-terminated), '?' for anything
 * unprintable, so that a warning never sends control bytes to a console. */
static void printable(char *out, size_t out_size, const void *s, size_t len, size_t max)
{
	const uint8_t *p = s;
	size_t n = 0;

	for (size_t i = 0; i < len && i < max && n + 4 < out_size; i++)
		out[n++] = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' ? (char)p[i] : '?';
	if (len > max && n + 4 < out_size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = 0;
}

/*
 * Parse the header at off (which may lie past the end). Returns 1 when it is good, or 0
 * with what is wrong in why. The checksum of 070702 entries costs a pass
 * over the data, so only archive_open asks for it (sum).
 */
static int hdr_parse(const struct archive *a, size_t off, struct hdr *h, int sum,
		     char *why, size_t why_len)
{
	size_t rem = off < a->size ? a->size - off : 0, namesize;
	const uint8_t *p;
	char magic[16];

	h->off = off;
	h->name = NULL;
	h->name_len = 0;
	if (rem < HDR_SIZE) {
		if (rem == 0)
			fmt_snprintf(why, why_len, "the archive ends without a trailer");
		else
			fmt_snprintf(why, why_len, "header truncated (%zu of %d bytes)", rem, HDR_SIZE);
		return 0;
	}
	p = a->data + off; /* not before: data may be NULL when size is 0 */
	if (memcmp(p, "07070", 5) || (p[5] != '1' && p[5] != '2')) {
		printable(magic, sizeof magic, p, 6, 6);
		fmt_snprintf(why, why_len, "bad magic \"%s\" (expected 070701 or 070702)%s", magic,
			     off == 0 && p[0] == 0x1f && p[1] == 0x8b ? ", gzip-compressed?" : "");
		return 0;
	}
	for (int i = 0; i < F_COUNT; i++) {
		if (!hex8(p + 6 + 8 * i, &h->f[i])) {
			fmt_snprintf(why, why_len, "bad hex digit in %s", field_names[i]);
			return 0;
		}
	}
	namesize = h->f[F_NAMESIZE];
	if (namesize == 0) {
		fmt_snprintf(why, why_len, "name size 0");
		return 0;
	}
	if (namesize > ARCHIVE_NAME_MAX) {
		fmt_snprintf(why, why_len, "name size %zu over the %d-byte limit", namesize,
			     ARCHIVE_NAME_MAX);
		return 0;
	}
	if (namesize > rem - HDR_SIZE) {
		fmt_snprintf(why, why_len, "name (%zu bytes) runs past the end of the %zu-byte archive",
			     namesize, a->size);
		return 0;
	}
	h->name = (const char *)p + HDR_SIZE;
	h->name_len = strnlen(h->name, namesize);
	if (h->name_len == namesize) {
		fmt_snprintf(why, why_len, "name not NUL-terminated");
		return 0;
	}
	h->data_off = align4(off + HDR_SIZE + namesize);
	if (is_trailer(h)) {
		/* Nothing is read after the trailer: its padding may be cut. */
		h->next = h->data_off = h->data_off < a->size ? h->data_off : a->size;
		return 1;
	}
	if (h->data_off > a->size || h->f[F_FILESIZE] > a->size - h->data_off) {
		fmt_snprintf(why, why_len,
			     "file data (%u bytes at offset 0x%zx) runs past the end of the %zu-byte archive",
			     h->f[F_FILESIZE], h->data_off, a->size);
		return 0;
	}
	/* GNU cpio sums regular files only (a symbolic link gets 0). */
	if (sum && p[5] == '2' && (h->f[F_MODE] & ARCHIVE_S_IFMT) == ARCHIVE_S_IFREG) {
		uint32_t s = 0;
		for (size_t i = 0; i < h->f[F_FILESIZE]; i++)
			s += a->data[h->data_off + i];
		if (s != h->f[F_CHECK]) {
			fmt_snprintf(why, why_len, "checksum 0x%08x, the data sums to 0x%08x",
				     h->f[F_CHECK], s);
			return 0;
		}
	}
	/* Past the end when only padding is missing: the next header is then
	 * the one reported missing. */
	h->next = align4(h->data_off + h->f[F_FILESIZE]);
	return 1;
}

static void warn_bad(archive_warn_fn *warn, void *ctx, uint32_t index, const struct hdr *h,
		     const char *why)
{
	char msg[320], name[80];

	if (!warn)
		return;
	if (h->name) {
		printable(name, sizeof name, h->name, h->name_len, 64);
		fmt_snprintf(msg, sizeof msg, "archive: entry %u (\"%s\") at offset 0x%zx: %s",
			     index, name, h->off, why);
	} else {
		fmt_snprintf(msg, sizeof msg, "archive: entry %u at offset 0x%zx: %s", index,
			     h->off, why);
	}
	warn(ctx, msg);
}

enum lm_err archive_open(struct archive *a, const void *data, size_t size,
			 archive_warn_fn *warn, void *ctx)
{
	char why[160];
	struct hdr h;
	size_t off = 0;

	a->data = data;
	a->size = size < ARCHIVE_SIZE_MAX ? size : ARCHIVE_SIZE_MAX - 1;
	a->end = 0;
	a->count = 0;
	a->complete = 0;
	for (;;) {
		a->end = off;
		if (!hdr_parse(a, off, &h, 1, why, sizeof why)) {
			warn_bad(warn, ctx, a->count, &h, why);
			break;
		}
		if (is_trailer(&h)) {
			a->complete = 1;
			break;
		}
		a->count++;
		off = h.next; /* at least HDR_SIZE further: the walk ends */
	}
	return a->complete || a->count ? LM_OK : LM_ERR_FORMAT;
}

/* The next accepted header after *off. */
static int walk(const struct archive *a, size_t *off, struct hdr *h)
{
	if (*off >= a->end || !hdr_parse(a, *off, h, 0, NULL, 0))
		return 0;
	*off = h->next;
	return 1;
}

/* The next component of s[0, len) from *pos, skipping empty and "." ones. */
static int comp_next(const char *s, size_t len, size_t *pos, const char **c, size_t *clen)
{
	while (*pos < len) {
		size_t start = *pos;

		while (*pos < len && s[*pos] != '/')
			(*pos)++;
		*c = s + start;
		*clen = *pos - start;
		if (*pos < len)
			(*pos)++;
		if (*clen && !(*clen == 1 && **c == '.'))
			return 1;
	}
	return 0;
}

static int is_dotdot(const char *c, size_t len)
{
	return len == 2 && c[0] == '.' && c[1] == '.';
}

/* How many components a name has; UINT32_MAX when one is "..". */
static uint32_t path_depth(const char *s, size_t len)
{
	size_t pos = 0, clen;
	const char *c;
	uint32_t n = 0;

	while (comp_next(s, len, &pos, &c, &clen)) {
		if (is_dotdot(c, clen))
			return UINT32_MAX;
		n++;
	}
	return n;
}

/*
 * Is entry h below directory d? Then *c is its component right under d,
 * and *exact says whether that is its last.
 */
static int under(const struct node *d, const struct hdr *h, const char **c, size_t *clen,
		 int *exact)
{
	size_t dpos = 0, hpos = 0, dlen, hlen;
	const char *dc, *hc;

	for (uint32_t i = 0; i < d->depth; i++) {
		if (!comp_next(d->path, d->path_len, &dpos, &dc, &dlen) ||
		    !comp_next(h->name, h->name_len, &hpos, &hc, &hlen) || hlen != dlen ||
		    memcmp(hc, dc, dlen))
			return 0;
	}
	if (!comp_next(h->name, h->name_len, &hpos, c, clen) || is_dotdot(*c, *clen))
		return 0;
	*exact = !comp_next(h->name, h->name_len, &hpos, &hc, &hlen);
	return path_depth(h->name, h->name_len) != UINT32_MAX;
}

static void root_node(struct node *n)
{
	memset(n, 0, sizeof *n);
	n->e.id = n->e.parent = ARCHIVE_ROOT_ID;
	n->e.name = "";
	n->e.mode = ARCHIVE_S_IFDIR | 0755;
	n->path = "";
	n->is_dir = 1;
}

/* A hard-linked file's data is stored with its last link only. */
static void hard_link_data(const struct archive *a, const struct hdr *h, struct archive_entry *e)
{
	struct hdr o;
	size_t off = 0;

	if ((e->mode & ARCHIVE_S_IFMT) != ARCHIVE_S_IFREG || h->f[F_NLINK] < 2 || e->size)
		return;
	while (walk(a, &off, &o)) {
		if ((o.f[F_MODE] & ARCHIVE_S_IFMT) == ARCHIVE_S_IFREG && o.f[F_FILESIZE] &&
		    o.f[F_INO] == h->f[F_INO] && o.f[F_DEVMAJOR] == h->f[F_DEVMAJOR] &&
		    o.f[F_DEVMINOR] == h->f[F_DEVMINOR]) {
			e->size = o.f[F_FILESIZE];
			e->data = a->data + o.data_off;
			return;
		}
	}
}

static void explicit_node(const struct archive *a, const struct node *d, const struct hdr *h,
			  const char *c, size_t clen, struct node *n)
{
	memset(n, 0, sizeof *n);
	n->e.id = h->off;
	n->e.parent = d->e.id;
	n->e.name = c;
	n->e.name_len = clen;
	n->e.mode = h->f[F_MODE];
	n->e.mtime = h->f[F_MTIME];
	n->path = h->name;
	n->path_len = h->name_len;
	n->depth = d->depth + 1;
	n->is_dir = (h->f[F_MODE] & ARCHIVE_S_IFMT) == ARCHIVE_S_IFDIR;
	if (!n->is_dir) {
		n->e.size = h->f[F_FILESIZE];
		n->e.data = a->data + h->data_off;
		hard_link_data(a, h, &n->e);
	}
}

/* The directory d->depth + 1 components deep on the way to entry h. */
static void implicit_node(const struct node *d, const struct hdr *h, const char *c, size_t clen,
			  struct node *n)
{
	memset(n, 0, sizeof *n);
	n->depth = d->depth + 1;
	n->e.id = ARCHIVE_IMPLICIT | (uint64_t)n->depth << DEPTH_SHIFT | h->off;
	n->e.parent = d->e.id;
	n->e.name = c;
	n->e.name_len = clen;
	n->e.mode = ARCHIVE_S_IFDIR | 0755;
	n->path = h->name;
	n->path_len = h->name_len;
	n->is_dir = 1;
}

/* The child named c of d: the last entry with exactly that path, else an
 * implicit directory named after the first entry below it. */
static enum lm_err child(const struct archive *a, const struct node *d, const char *c,
			 size_t clen, struct node *out)
{
	struct hdr h, exact_h = {0}, below_h = {0};
	const char *hc, *exact_c = NULL, *below_c = NULL;
	size_t off = 0, hlen;
	int exact;

	while (walk(a, &off, &h)) {
		if (!under(d, &h, &hc, &hlen, &exact) || hlen != clen || memcmp(hc, c, clen))
			continue;
		if (exact) {
			exact_h = h;
			exact_c = hc;
		} else if (!below_c) {
			below_h = h;
			below_c = hc;
		}
	}
	if (exact_c)
		explicit_node(a, d, &exact_h, exact_c, clen, out);
	else if (below_c)
		implicit_node(d, &below_h, below_c, clen, out);
	else
		return LM_ERR_NOENT;
	return LM_OK;
}

/* Resolve the first limit components of s[0, len) from the root. */
static enum lm_err lookup_n(const struct archive *a, const char *s, size_t len, uint32_t limit,
			    struct node *out)
{
	struct node d;
	size_t pos = 0, clen;
	const char *c;
	enum lm_err e;

	root_node(out);
	for (uint32_t i = 0; i < limit && comp_next(s, len, &pos, &c, &clen); i++) {
		if (is_dotdot(c, clen) || !out->is_dir)
			return LM_ERR_INVAL;
		d = *out;
		e = child(a, &d, c, clen, out);
		if (e)
			return e;
	}
	return LM_OK;
}

/* What an id names. Only ids this file hands out resolve: the entry the id
 * points at must be what its path looks up to now. */
static enum lm_err node_get(const struct archive *a, uint64_t id, struct node *n)
{
	size_t want, off = 0;
	uint32_t depth, full;
	struct hdr h;

	if (id == ARCHIVE_ROOT_ID) {
		root_node(n);
		return LM_OK;
	}
	if (id & ARCHIVE_ROOT_ID)
		return LM_ERR_NOENT;
	want = (size_t)(id & OFFSET_MASK);
	depth = (uint32_t)(id >> DEPTH_SHIFT) & DEPTH_MASK;
	if (!(id & ARCHIVE_IMPLICIT) && depth)
		return LM_ERR_NOENT;
	do {
		if (!walk(a, &off, &h))
			return LM_ERR_NOENT;
	} while (h.off != want);
	full = path_depth(h.name, h.name_len);
	if (full == UINT32_MAX || full == 0)
		return LM_ERR_NOENT;
	if (!(id & ARCHIVE_IMPLICIT))
		depth = full;
	else if (depth == 0 || depth >= full)
		return LM_ERR_NOENT;
	if (lookup_n(a, h.name, h.name_len, depth, n) || n->e.id != id)
		return LM_ERR_NOENT;
	return LM_OK;
}

uint64_t archive_root(const struct archive *a)
{
	return ARCHIVE_ROOT_ID;
}

enum lm_err archive_get(const struct archive *a, uint64_t id, struct archive_entry *out)
{
	struct node n;
	enum lm_err e = node_get(a, id, &n);

	if (!e)
		*out = n.e;
	return e;
}

enum lm_err archive_find(const struct archive *a, uint64_t dir, const char *name, size_t len,
			 struct archive_entry *out)
{
	struct node d, n;
	enum lm_err e;

	if (!len || (len == 1 && name[0] == '.') || is_dotdot(name, len))
		return LM_ERR_INVAL;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '/')
			return LM_ERR_INVAL;
	}
	e = node_get(a, dir, &d);
	if (e)
		return e;
	if (!d.is_dir)
		return LM_ERR_INVAL;
	e = child(a, &d, name, len, &n);
	if (!e)
		*out = n.e;
	return e;
}

enum lm_err archive_lookup(const struct archive *a, const char *path, struct archive_entry *out)
{
	struct node n;
	enum lm_err e = lookup_n(a, path, strlen(path), UINT32_MAX, &n);

	if (!e)
		*out = n.e;
	return e;
}

/* Does an entry before offset `before` also lead to child c of d? */
static int seen_before(const struct archive *a, const struct node *d, size_t before,
		       const char *c, size_t clen)
{
	struct hdr h;
	const char *hc;
	size_t off = 0, hlen;
	int exact;

	while (off < before && walk(a, &off, &h)) {
		if (under(d, &h, &hc, &hlen, &exact) && hlen == clen && !memcmp(hc, c, clen))
			return 1;
	}
	return 0;
}

enum lm_err archive_next(const struct archive *a, uint64_t dir, uint64_t *cookie,
			 struct archive_entry *out)
{
	struct node d, n;
	struct hdr h;
	const char *c;
	size_t off = 0, at, clen;
	int exact, started = *cookie == 0;
	enum lm_err e = node_get(a, dir, &d);

	if (e)
		return e;
	if (!d.is_dir)
		return LM_ERR_INVAL;
	if (*cookie == a->end)
		return LM_ERR_NOENT;
	for (at = off; walk(a, &off, &h); at = off) {
		if (!started && at != *cookie)
			continue;
		started = 1;
		if (!under(&d, &h, &c, &clen, &exact) || seen_before(a, &d, at, c, clen))
			continue;
		if (child(a, &d, c, clen, &n))
			continue; /* cannot happen: h itself is below d */
		*out = n.e;
		*cookie = off;
		return LM_OK;
	}
	if (!started)
		return LM_ERR_INVAL;
	*cookie = a->end;
	return LM_ERR_NOENT;
}

enum lm_err archive_read(const struct archive *a, uint64_t id, uint64_t offset, void *buf,
			 size_t len, size_t *got)
{
	struct node n;
	enum lm_err e = node_get(a, id, &n);

	*got = 0;
	if (e)
		return e;
	if (n.is_dir)
		return LM_ERR_INVAL;
	if (offset >= n.e.size)
		return LM_OK;
	if (len > n.e.size - offset)
		len = (size_t)(n.e.size - offset);
	memcpy(buf, n.e.data + offset, len);
	*got = len;
	return LM_OK;
}
