/*
 * Linux path names, portable and pure (kernel/linux/path.c; host-tested
 * and fuzzed): a program's path, relative to its working directory or
 * absolute, made into one absolute path with no ".", ".." or empty
 * components, which is how the personality's file systems (the archive,
 * /tmp, /dev, /proc) are looked up (kernel/linux/vfs.c).
 */
#ifndef KERNEL_LINUX_PATH_H
#define KERNEL_LINUX_PATH_H

#include <stddef.h>

#include <lemmings/err.h>

#define LINUX_PATH_MAX 512 /* the longest path the personality handles, NUL included */

/*
 * path made absolute against cwd (itself absolute and normal) into out
 * (cap bytes): "/" alone for the root, else "/a/b" with no trailing slash;
 * ".." of the root is the root, as on Linux. LM_ERR_NOENT for an empty
 * path (Linux's ENOENT), LM_ERR_RANGE when the result (or path) does not
 * fit (ENAMETOOLONG).
 */
enum lm_err linux_path_resolve(const char *cwd, const char *path, char *out, size_t cap);

/* Whether path (normal, absolute) is dir or lies under it; *rest points
 * at what follows dir ("" for dir itself, else "/..."). */
int linux_path_under(const char *path, const char *dir, const char **rest);

#endif
