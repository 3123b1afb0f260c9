/*
 * idlc command line: idlc [-o out.h] [--id | --canonical] file.idl
 *
 * Reads the whole file, compiles it (compile.c) and writes the header to
 * stdout or to out.h; with --id one "<door> <32 hex digits>" line per
 * door instead, with --canonical the canonical form of each door (what its
 * API ID is the hash of). An output that is a regular file, or does not
 * exist yet, is written to a temporary name in the same folder and renamed
 * into place, so it is never left partial; anything else (a device such as
 * /dev/null, a FIFO, a symlink) is written straight to, since a rename
 * would replace it with a regular file. Exit status: 0 on success, 1 for
 * errors in the input (printed on stderr as "file:line:col: error: message",
 * or "file: error: message" when the file cannot be read) or I/O errors, 2
 * for usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/idlc/idlc.h"

static int usage(const char *msg)
{
	fprintf(stderr, "idlc: %s\nusage: idlc [-o out.h] [--id | --canonical] file.idl\n", msg);
	return 2;
}

/* The whole file, or NULL with errno set. A folder opens without error
 * and fails only at the first read, with EISDIR: caught up front so that
 * the message can say so. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct idl_buf b = {0};
	struct stat st;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	errno = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f) || b.failed) {
		int err = errno ? errno : EIO;

		if (b.failed)
			err = ENOMEM;
		fclose(f);
		buf_free(&b);
		errno = err;
		return NULL;
	}
	fclose(f);
	*len = b.len;
	if (!b.data)
		return calloc(1, 1);
	return b.data;
}

/* The prefix of generated names: the file name without folders and ".idl". */
static char *file_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *stem;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".idl"))
		len -= 4;
	stem = malloc(len + 1);
	if (stem) {
		memcpy(stem, base, len);
		stem[len] = 0;
	}
	return stem;
}

static int write_straight(const char *out_path, const struct idl_buf *b)
{
	FILE *f = fopen(out_path, "wb");

	if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		fprintf(stderr, "idlc: cannot write %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	return 0;
}

static int write_output(const char *out_path, const struct idl_buf *b)
{
	struct stat st;
	size_t len = strlen(out_path);
	char *tmp;
	FILE *f;

	/* A rename would turn /dev/null or a symlink into a regular file. */
	if (lstat(out_path, &st) == 0 && !S_ISREG(st.st_mode))
		return write_straight(out_path, b);
	tmp = malloc(len + 32);
	if (!tmp) {
		fprintf(stderr, "idlc: out of memory\n");
		return 1;
	}
	snprintf(tmp, len + 32, "%s.tmp.%ld", out_path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0 ||
	    rename(tmp, out_path) != 0) {
		fprintf(stderr, "idlc: cannot write %s: %s\n", out_path, strerror(errno));
		remove(tmp);
		free(tmp);
		return 1;
	}
	free(tmp);
	return 0;
}

int main(int argc, char **argv)
{
	const char *in_path = NULL, *out_path = NULL;
	enum idlc_mode mode = IDLC_HEADER;
	struct idl_buf out = {0};
	char err[IDL_ERR_MAX], *src, *stem;
	size_t len = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (++i == argc)
				return usage("-o needs a file name");
			out_path = argv[i];
		} else if (!strcmp(argv[i], "--id")) {
			mode = IDLC_IDS;
		} else if (!strcmp(argv[i], "--canonical")) {
			mode = IDLC_CANONICAL;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage("unknown option");
		} else if (in_path) {
			return usage("more than one input file");
		} else {
			in_path = argv[i];
		}
	}
	if (!in_path)
		return usage("no input file");
	stem = file_stem(in_path);
	if (!stem)
		return usage("out of memory");
	if (!idl_valid_name(stem)) {
		fprintf(stderr, "idlc: %s: the file name '%s' must be a valid IDL name "
			"([a-z_][a-z0-9_]*, not a keyword): it prefixes the C names\n",
			in_path, stem);
		free(stem);
		return 2;
	}
	src = read_file(in_path, &len);
	if (!src) {
		if (errno == EISDIR)
			fprintf(stderr, "%s: error: is a directory, not an IDL file\n", in_path);
		else
			fprintf(stderr, "%s: error: cannot read: %s\n", in_path, strerror(errno));
		free(stem);
		return 1;
	}
	rc = idlc_compile(src, len, in_path, stem, mode, &out, err, sizeof err);
	free(src);
	free(stem);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (out_path)
		rc = write_output(out_path, &out);
	else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout))
		rc = 1;
	buf_free(&out);
	return rc;
}
