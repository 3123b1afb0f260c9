/*
 * A command line split into words, as a shell would without expanding
 * anything (see exec.h). Pure: reads line, writes only buf and words.
 */
#include "kernel/linux/exec.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

enum lm_err linux_words(const char *line, char *buf, size_t cap, char **words, int max,
			int *count)
{
	size_t used = 0;
	int n = 0;

	*count = 0;
	for (;;) {
		while (blank(*line))
			line++;
		if (!*line)
			break;
		if (n == max)
			return LM_ERR_NOSPACE;
		words[n++] = buf + used;
		while (*line && !blank(*line)) {
			char c = *line++;

			if (c == '\'') {
				while (*line && *line != '\'') {
					if (used == cap)
						return LM_ERR_NOSPACE;
					buf[used++] = *line++;
				}
				if (!*line++)
					return LM_ERR_FORMAT;
				continue;
			}
			if (c == '"') {
				while (*line && *line != '"') {
					c = *line++;
					if (c == '\\' && (*line == '"' || *line == '\\' || *line == '$' ||
							  *line == '`'))
						c = *line++;
					if (used == cap)
						return LM_ERR_NOSPACE;
					buf[used++] = c;
				}
				if (!*line++)
					return LM_ERR_FORMAT;
				continue;
			}
			if (c == '\\') {
				if (!*line)
					return LM_ERR_FORMAT;
				c = *line++;
			}
			if (used == cap)
				return LM_ERR_NOSPACE;
			buf[used++] = c;
		}
		if (used == cap)
			return LM_ERR_NOSPACE;
		buf[used++] = 0;
	}
	*count = n;
	return LM_OK;
}
