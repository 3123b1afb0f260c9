/*
 * HTTP/1.1 request parsing and reply heads (http.h says the rules).
 *
 * The parser is a single pass over the bytes received so far, line by line,
 * that stops at the first thing it can judge wrong, or at the end of the
 * bytes; it keeps no state between calls and never reads past len. Every
 * line is bounded (HTTP_LINE_MAX for the request line, HTTP_HEAD_MAX for
 * the whole head), so a call costs O(HTTP_HEAD_MAX) at most.
 */
#include <string.h>

#include "programs/httpd/http.h"

/* A token character (RFC 9110 tchar). */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0, len) equals the lower-case word, ignoring case. */
static bool same_word(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!word[i] || lower(s[i]) != word[i])
			return false;
	}
	return word[i] == 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Where the line starting at pos ends: the index of its '\n', or len. */
static size_t line_end(const char *buf, size_t len, size_t pos)
{
	while (pos < len && buf[pos] != '\n')
		pos++;
	return pos;
}

/* The length of the line's content, without the CR before its LF. */
static size_t content_len(const char *buf, size_t pos, size_t end)
{
	return end > pos && buf[end - 1] == '\r' ? end - pos - 1 : end - pos;
}

static enum http_result fail(struct http_request *req, int status)
{
	req->status = status;
	req->keep_alive = false;
	return HTTP_ERROR;
}

/* Methods of RFC 9110 (and PATCH) that this server knows but does not serve. */
static bool known_unserved(const char *m, size_t len)
{
	static const char *const methods[] = {
		"POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
	};

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (strlen(methods[i]) == len && !memcmp(m, methods[i], len))
			return true;
	}
	return false;
}

/* Bytes that may not appear in a request line or header value: controls
 * other than tab (CR counts: a line ends in CRLF or LF only). */
static bool is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/*
 * The request line line[0, n): fills method, target, minor. Returns 0, or
 * the status: 400, 501, 505, or -405 for a known method not served (the
 * final status, 405 or 411, depends on the headers).
 */
static int request_line(const char *line, size_t n, struct http_request *req)
{
	size_t m = 0, t, v;

	while (m < n && is_tchar((unsigned char)line[m]))
		m++;
	if (!m || m == n || line[m] != ' ')
		return 400;
	t = m + 1;
	v = t;
	while (v < n && line[v] > ' ' && line[v] < 0x7f)
		v++;
	if (v == t || v == n || line[v] != ' ')
		return 400;
	req->target = line + t;
	req->target_len = v - t;
	v++;
	if (n - v != 8 || memcmp(line + v, "HTTP/", 5) || !is_digit(line[v + 5]) ||
	    line[v + 6] != '.' || !is_digit(line[v + 7]))
		return 400;
	if (line[v + 5] != '1')
		return 505;
	req->minor = line[v + 7] == '0' ? 0 : 1; /* 1.x after 1.1 is served as 1.1 */
	if (m == 3 && !memcmp(line, "GET", 3))
		req->method = HTTP_GET;
	else if (m == 4 && !memcmp(line, "HEAD", 4))
		req->method = HTTP_HEAD;
	else if (known_unserved(line, m))
		return req->target[0] == '/' || (req->target_len == 1 && req->target[0] == '*')
			       ? -405 : 400;
	else
		return 501;
	if (req->target[0] != '/')
		return 400; /* the absolute and authority forms are not served */
	return 0;
}

/* What the headers said, for the checks made once they have all arrived. */
struct head_fields {
	bool has_length, chunked, host, close, keep_alive;
	uint64_t length;
};

/* A decimal Content-Length: 0 or 400. A repeated one must agree. */
static int content_length(const char *v, size_t n, struct head_fields *f)
{
	uint64_t x = 0;

	if (!n || n > 19)
		return 400;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return 400;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (f->has_length && f->length != x)
		return 400;
	f->has_length = true;
	f->length = x;
	return 0;
}

/*
 * Walk a comma-separated list of tokens (Connection, Transfer-Encoding),
 * blanks around each ignored: Connection marks close and keep-alive, and
 * a transfer coding must be chunked (and last). Returns 0, 400 or 501.
 */
static int token_list(const char *v, size_t n, bool coding, struct head_fields *f)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (is_blank(v[i]) || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && is_blank(v[e - 1]))
			e--;
		if (e == s)
			continue;
		if (!coding) {
			if (same_word(v + s, e - s, "close"))
				f->close = true;
			else if (same_word(v + s, e - s, "keep-alive"))
				f->keep_alive = true;
		} else if (f->chunked || !same_word(v + s, e - s, "chunked")) {
			return 501; /* chunked twice, or a coding this server lacks */
		} else {
			f->chunked = true;
		}
	}
	return 0;
}

/* One header line line[0, n): 0, or the status for it. */
static int header(const char *line, size_t n, struct http_request *req, struct head_fields *f)
{
	size_t name = 0, v, e;

	if (n && is_blank(line[0]))
		return 400; /* obsolete line folding */
	while (name < n && is_tchar((unsigned char)line[name]))
		name++;
	if (!name || name == n || line[name] != ':')
		return 400;
	for (v = name + 1; v < n && is_blank(line[v]); v++)
		;
	for (e = n; e > v && is_blank(line[e - 1]); e--)
		;
	for (size_t i = v; i < e; i++) {
		if (is_ctl((unsigned char)line[i]))
			return 400;
	}
	if (same_word(line, name, "content-length"))
		return content_length(line + v, e - v, f);
	if (same_word(line, name, "transfer-encoding"))
		return token_list(line + v, e - v, true, f);
	if (same_word(line, name, "connection"))
		return token_list(line + v, e - v, false, f);
	if (same_word(line, name, "host")) {
		if (f->host)
			return 400;
		f->host = true;
	} else if (same_word(line, name, "if-modified-since")) {
		req->if_modified_since = line + v;
		req->if_modified_since_len = e - v;
	}
	return 0;
}

/* The head has ended: the checks that need every header. */
static enum http_result finish(struct http_request *req, const struct head_fields *f,
			       bool unserved)
{
	if (f->has_length && f->chunked)
		return fail(req, 400);
	if (req->minor && !f->host)
		return fail(req, 400);
	if (unserved)
		return fail(req, f->has_length || f->chunked ? 405 : 411);
	if (f->chunked)
		return fail(req, 411); /* a body to skip must come with its length */
	req->body_len = f->has_length ? f->length : 0;
	req->keep_alive = req->minor ? !f->close : f->keep_alive && !f->close;
	return HTTP_COMPLETE;
}

enum http_result http_parse(const char *buf, size_t len, struct http_request *req)
{
	struct head_fields f = {0};
	size_t pos = 0, start, end, headers = 0;
	bool unserved = false;
	int status;

	memset(req, 0, sizeof *req);
	/* Empty lines before a request (a client's stray CRLF) are skipped. */
	while (pos < len && (buf[pos] == '\n' || buf[pos] == '\r')) {
		if (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] != '\n')
			return fail(req, 400);
		pos++;
	}
	if (pos >= HTTP_HEAD_MAX)
		return fail(req, 400);

	/* The request line, judged as far as it has come. */
	start = pos;
	end = line_end(buf, len, pos);
	if (end - start + (end < len) > HTTP_LINE_MAX)
		return fail(req, 414);
	for (size_t i = start; i < end; i++) {
		if (is_ctl((unsigned char)buf[i]) && !(buf[i] == '\r' && i + 1 == end))
			return fail(req, 400);
	}
	if (end == len)
		return len >= HTTP_HEAD_MAX ? fail(req, 431) : HTTP_INCOMPLETE;
	status = request_line(buf + start, content_len(buf, start, end), req);
	if (status > 0)
		return fail(req, status);
	unserved = status == -405;
	pos = end + 1;

	/* Header lines, up to the empty line. */
	for (;;) {
		size_t n;

		end = line_end(buf, len, pos);
		if (end == len)
			return len >= HTTP_HEAD_MAX ? fail(req, 431) : HTTP_INCOMPLETE;
		if (end + 1 > HTTP_HEAD_MAX)
			return fail(req, 431);
		n = content_len(buf, pos, end);
		if (n == 0)
			break;
		if (++headers > HTTP_HEADERS_MAX)
			return fail(req, 431);
		status = header(buf + pos, n, req, &f);
		if (status)
			return fail(req, status);
		pos = end + 1;
	}
	req->head_len = end + 1;
	return finish(req, &f, unserved);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

const char *http_content_type(const char *path, size_t len)
{
	static const char *const types[][2] = {
		{"html", "text/html; charset=utf-8"},
		{"htm", "text/html; charset=utf-8"},
		{"txt", "text/plain; charset=utf-8"},
		{"css", "text/css"},
		{"js", "text/javascript"},
		{"json", "application/json"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"svg", "image/svg+xml"},
	};
	size_t dot = len;

	while (dot > 0 && path[dot - 1] != '.' && path[dot - 1] != '/')
		dot--;
	if (dot > 0 && path[dot - 1] == '.') {
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
			if (same_word(path + dot, len - dot, types[i][0]))
				return types[i][1];
		}
	}
	return "application/octet-stream";
}

static int hex(char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_target_path(char *target, size_t *len)
{
	size_t in = 0, out = 0, n = *len, seg = 1;

	/* Decode up to the query; the target starts with '/'. */
	while (in < n && target[in] != '?' && target[in] != '#') {
		char c = target[in++];

		if (c == '%') {
			int hi = in + 1 < n ? hex(target[in]) : -1;
			int lo = hi >= 0 ? hex(target[in + 1]) : -1;

			if (lo < 0)
				return 400;
			c = (char)(hi * 16 + lo);
			in += 2;
			if (c == 0 || c == '/')
				return 400;
		}
		target[out++] = c;
	}
	/* Segment by segment: drop empty and "." ones, refuse "..", keep a
	 * final slash (it asks for a folder). seg is where the segment being
	 * read starts in the output, n its end. */
	n = out;
	out = 1;
	for (in = 1; in <= n; in++) {
		if (in < n && target[in] != '/') {
			target[out++] = target[in];
			continue;
		}
		if (out - seg == 2 && target[seg] == '.' && target[seg + 1] == '.')
			return 400;
		if (out - seg == 1 && target[seg] == '.')
			out = seg; /* "." */
		if (out > seg && in < n)
			target[out++] = '/';
		seg = out;
	}
	*len = out;
	return 0;
}

/* Append s to out[*at, size); false when it does not fit. */
static bool put(char *out, size_t size, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (n >= size - *at)
		return false;
	memcpy(out + *at, s, n);
	*at += n;
	return true;
}

/* Append v in decimal. */
static bool put_number(char *out, size_t size, size_t *at, uint64_t v)
{
	char digits[21];
	size_t i = sizeof digits - 1;

	digits[i] = 0;
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return put(out, size, at, digits + i);
}

/* Written out by hand rather than with snprintf: this runs on a
 * connection's one-page stack, and the formatter's frames are larger. */
size_t http_reply_head(char *out, size_t size, int status, const char *content_type,
		       uint64_t content_length, bool keep_alive)
{
	size_t at = 0;
	bool ok;

	ok = put(out, size, &at, "HTTP/1.1 ") && put_number(out, size, &at, (uint64_t)status) &&
	     put(out, size, &at, " ") && put(out, size, &at, http_reason(status)) &&
	     put(out, size, &at, "\r\nServer: lemmings-httpd\r\n");
	if (ok && content_type)
		ok = put(out, size, &at, "Content-Type: ") && put(out, size, &at, content_type) &&
		     put(out, size, &at, "\r\n");
	ok = ok && put(out, size, &at, "Content-Length: ") &&
	     put_number(out, size, &at, content_length) && put(out, size, &at, "\r\n");
	if (ok && status == 405)
		ok = put(out, size, &at, "Allow: GET, HEAD\r\n");
	ok = ok && put(out, size, &at, keep_alive ? "Connection: keep-alive\r\n\r\n"
					       : "Connection: close\r\n\r\n");
	if (!ok)
		return 0;
	out[at] = 0;
	return at;
}
