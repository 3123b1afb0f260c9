/* libFuzzer: the command-line tokenizer must end, and stay in bounds, on
 * any input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), err[96];
	struct cmdline_word w;
	size_t cur = 0, last = 0;
	int words = 0;

	memcpy(line, data, size);
	line[size] = 0;
	while (cmdline_next(line, &cur, &w, err, sizeof err) != LM_ERR_NOENT) {
		/* Progress is guaranteed, and words lie inside the line. */
		if (cur <= last && words)
			abort();
		if (w.key < line || w.key + w.key_len > line + size)
			abort();
		last = cur;
		if (++words > (int)size + 1)
			abort();
	}
	/* The hart-set syntax of sched= over the same bytes. */
	{
		uint64_t mask;
		if (cmdline_parse_harts(line, 64, &mask, err, sizeof err) == LM_OK && !mask)
			abort(); /* success means at least one hart */
	}
	free(line);
	return 0;
}
