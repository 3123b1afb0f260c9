/*
 * HTTP/1.1 requests, parsed (RFC 9112), and the small pieces of a reply
 * that need no I/O: status reasons, content types, the reply's head, a
 * target turned into a path. Portable: no door calls, no allocation, no
 * global state, so the host unit tests (http_test.c) and the fuzzer
 * (http_fuzz.c) run the same code httpd does.
 *
 * http_parse looks at the bytes received so far on a connection, from the
 * start of one request, and says whether they hold the whole request head,
 * not yet, or an error with the status to answer. It is called again from
 * the start with more bytes after each receive (a head is at most
 * HTTP_HEAD_MAX bytes, so parsing again is cheap and keeps no state between
 * calls). Errors are found as early as the bytes allow: a bad request line
 * is refused before its headers arrive.
 *
 * Pipelining: a complete request reports how many bytes it used (its head,
 * plus a body to skip); the bytes after them are the next request.
 *
 * The request holds pointers into the caller's buffer, valid as long as it.
 */
#ifndef HTTPD_HTTP_H
#define HTTPD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest request line (method, target, version, line end) accepted:
 * longer is 414. Less than HTTP_HEAD_MAX, so that a long line is told from
 * a long head. */
#define HTTP_LINE_MAX 1024
/* The longest request head (request line and headers, with the empty line
 * that ends them): longer is 431. A caller's buffer holds at least this. */
#define HTTP_HEAD_MAX 2048
/* At most this many header fields: more is 431. */
#define HTTP_HEADERS_MAX 48

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
};

enum http_result {
	HTTP_INCOMPLETE, /* more bytes are needed */
	HTTP_COMPLETE,   /* *req describes a request to serve */
	HTTP_ERROR,      /* answer req->status, then close the connection */
};

struct http_request {
	enum http_method method;
	const char *target;      /* as sent (origin form: starts with '/') */
	size_t target_len;
	unsigned minor;          /* 0 for HTTP/1.0; 1 for 1.1 (and later 1.x) */
	bool keep_alive;         /* the connection may serve another request */
	const char *if_modified_since; /* the header's value, or NULL */
	size_t if_modified_since_len;
	size_t head_len;         /* bytes of the head, leading empty lines included */
	uint64_t body_len;       /* bytes of body after the head, to skip */
	int status;              /* with HTTP_ERROR: 400, 405, 411, 414, 431, 501, 505 */
};

/*
 * Parse the request at the start of buf[0, len). HTTP_COMPLETE fills *req;
 * the request used req->head_len + req->body_len bytes (the body may not
 * have arrived yet: it is the caller's to skip). HTTP_ERROR sets
 * req->status (405 replies carry "Allow: GET, HEAD"). HTTP_INCOMPLETE
 * means nothing is wrong so far; with len >= HTTP_HEAD_MAX it cannot
 * happen (the head is too long: 414 or 431).
 *
 * Rules: empty lines before a request are skipped; lines end in CRLF or LF.
 * The request line is METHOD SP TARGET SP HTTP/D.D: any other shape is 400,
 * a target not starting with '/' is 400, a major version other than 1 is
 * 505, a method that is no token is 400, GET and HEAD are served, the other
 * methods of RFC 9110 get 405 and an unknown one 501. Header lines are
 * NAME ":" VALUE; a malformed line, a folded line (starting with a blank),
 * a bad or contradictory Content-Length, both Content-Length and
 * Transfer-Encoding, or HTTP/1.1 without Host is 400. A transfer coding
 * other than chunked is 501. A body must have a length: a method other
 * than GET and HEAD with neither Content-Length nor chunked is 411 (with
 * one, 405); GET and HEAD may carry a Content-Length body, which is
 * skipped, but not a chunked one (411: a length is required).
 * Connection: HTTP/1.1 keeps the connection unless "close" is among its
 * tokens, HTTP/1.0 closes it unless "keep-alive" is.
 */
enum http_result http_parse(const char *buf, size_t len, struct http_request *req);

/* The reason phrase of a status ("Not Found"); "Unknown" for others. */
const char *http_reason(int status);

/* The content type for a path, from its extension (html, txt, css, js,
 * json, png, jpg, svg); application/octet-stream for any other. */
const char *http_content_type(const char *path, size_t len);

/*
 * Turn a target (starting with '/') into the path to serve, in place: drop
 * the query, decode %XX escapes, drop empty and "." segments; a final '/'
 * is kept ("/a//./b/" is "/a/b/", "/." is "/"). *len is updated. Returns 0,
 * or 400 for a bad escape, an encoded NUL or '/', or a ".." segment (no
 * target may climb out of the root).
 */
int http_target_path(char *target, size_t *len);

/*
 * Write a reply's head into out (size bytes), NUL-terminated: status line,
 * Server, Content-Type (unless NULL), Content-Length, for 405 an Allow
 * header, Connection, then the empty line. Returns its length (without the
 * NUL), or 0 if it does not fit. HTTP_REPLY_HEAD_MAX bytes always suffice.
 */
#define HTTP_REPLY_HEAD_MAX 224
size_t http_reply_head(char *out, size_t size, int status, const char *content_type,
		       uint64_t content_length, bool keep_alive);

#endif
