/*
 * Path names made absolute and normal (see path.h). Pure: reads its
 * strings, writes only out, and never past cap.
 */
#include "kernel/linux/path.h"

/* Append the component c (len bytes) to out (used bytes, "/" for the root
 * counts as 0): "." is nothing, ".." drops the last component. */
static enum lm_err push(char *out, size_t cap, size_t *used, const char *c, size_t len)
{
	if (len == 1 && c[0] == '.')
		return LM_OK;
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		while (*used && out[*used - 1] != '/')
			(*used)--;
		if (*used)
			(*used)--; /* the slash before it */
		return LM_OK;
	}
	if (*used + 1 + len + 1 > cap)
		return LM_ERR_RANGE;
	out[(*used)++] = '/';
	for (size_t i = 0; i < len; i++)
		out[(*used)++] = c[i];
	return LM_OK;
}

/* Add every component of s. */
static enum lm_err push_all(char *out, size_t cap, size_t *used, const char *s)
{
	while (*s) {
		size_t len = 0;
		enum lm_err err;

		while (*s == '/')
			s++;
		while (s[len] && s[len] != '/')
			len++;
		if (len && (err = push(out, cap, used, s, len)))
			return err;
		s += len;
	}
	return LM_OK;
}

enum lm_err linux_path_resolve(const char *cwd, const char *path, char *out, size_t cap)
{
	size_t used = 0;
	enum lm_err err;

	if (cap < 2)
		return LM_ERR_RANGE;
	if (!*path)
		return LM_ERR_NOENT;
	if (*path != '/' && (err = push_all(out, cap, &used, cwd)))
		return err;
	if ((err = push_all(out, cap, &used, path)))
		return err;
	if (!used)
		out[used++] = '/';
	out[used] = 0;
	return LM_OK;
}

int linux_path_under(const char *path, const char *dir, const char **rest)
{
	size_t i = 0;

	while (dir[i] && path[i] == dir[i])
		i++;
	if (dir[i] || (path[i] && path[i] != '/'))
		return 0;
	*rest = path + i;
	return 1;
}
