/*
 * libFuzzer: the HTTP request parser (http.c) must end, stay in bounds and
 * keep its promises on any input: a complete request lies inside the bytes
 * it was given, an error carries one of the documented statuses, and a
 * prefix of the input is never judged complete when the whole is not
 * (what a connection sees as bytes arrive). Pipelined requests are parsed
 * one after another as httpd does, and each target goes through
 * http_target_path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "programs/httpd/http.h"

static void check_status(int s)
{
	if (s != 400 && s != 405 && s != 411 && s != 414 && s != 431 && s != 501 && s != 505)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct http_request req, part;
	size_t pos = 0;

	memcpy(buf, data, size);
	while (pos < size) {
		enum http_result r = http_parse(buf + pos, size - pos, &req);
		size_t used, n;

		if (r == HTTP_INCOMPLETE) {
			if (size - pos >= HTTP_HEAD_MAX)
				abort();
			break;
		}
		if (r == HTTP_ERROR) {
			check_status(req.status);
			if (req.keep_alive)
				abort();
			break;
		}
		if (r != HTTP_COMPLETE || !req.head_len || req.head_len > size - pos ||
		    req.head_len > HTTP_HEAD_MAX)
			abort();
		if (req.target < buf + pos || req.target + req.target_len > buf + pos + req.head_len ||
		    req.target[0] != '/')
			abort();
		/* No shorter prefix is a complete request of its own. */
		if (req.head_len > 1 &&
		    http_parse(buf + pos, req.head_len - 1, &part) == HTTP_COMPLETE)
			abort();
		n = req.target_len;
		if (http_target_path((char *)req.target, &n) == 0 && n > req.target_len)
			abort();
		used = req.head_len;
		if (req.body_len > size - pos - used)
			break;
		pos += used + (size_t)req.body_len;
	}
	free(buf);
	return 0;
}
