/*
 * Host unit tests of the HTTP request parser and reply helpers (http.c):
 * every error status, keep-alive rules, pipelining and input that arrives
 * a byte at a time.
 */
#include <stdio.h>
#include <string.h>

#include "lib/test.h"
#include "programs/httpd/http.h"

static struct http_request req;

static enum http_result parse(const char *s)
{
	return http_parse(s, strlen(s), &req);
}

/* The status a request gets: 200 when it is complete and served. */
static int status_of(const char *s)
{
	enum http_result r = parse(s);

	if (r == HTTP_INCOMPLETE)
		return 0;
	return r == HTTP_COMPLETE ? 200 : req.status;
}

TEST(http, simple_get)
{
	static const char s[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";

	ASSERT_EQ(parse(s), HTTP_COMPLETE);
	EXPECT_EQ(req.method, HTTP_GET);
	EXPECT_EQ(req.target_len, 11);
	EXPECT(!memcmp(req.target, "/index.html", 11));
	EXPECT_EQ(req.minor, 1);
	EXPECT(req.keep_alive);
	EXPECT_EQ(req.head_len, sizeof s - 1);
	EXPECT_EQ(req.body_len, 0);
	EXPECT(req.if_modified_since == NULL);
}

TEST(http, head_and_bare_line_feeds)
{
	static const char s[] = "HEAD / HTTP/1.0\nIf-Modified-Since:  Sat, 29 Oct 1994 19:43:31 GMT \n\n";

	ASSERT_EQ(parse(s), HTTP_COMPLETE);
	EXPECT_EQ(req.method, HTTP_HEAD);
	EXPECT_EQ(req.minor, 0);
	EXPECT(!req.keep_alive);
	EXPECT_EQ(req.head_len, sizeof s - 1);
	ASSERT(req.if_modified_since != NULL);
	EXPECT_EQ(req.if_modified_since_len, 29);
	EXPECT(!memcmp(req.if_modified_since, "Sat, 29 Oct 1994 19:43:31 GMT", 29));
}

TEST(http, keep_alive_rules)
{
	/* 1.1 keeps the connection unless told to close... */
	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), HTTP_COMPLETE);
	EXPECT(req.keep_alive);
	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), HTTP_COMPLETE);
	EXPECT(!req.keep_alive);
	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\nconnection: Upgrade, CLOSE\r\n\r\n"),
		  HTTP_COMPLETE);
	EXPECT(!req.keep_alive);
	EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"),
		  HTTP_COMPLETE);
	EXPECT(req.keep_alive);
	/* ...1.0 closes it unless asked to keep it. */
	EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\n"), HTTP_COMPLETE);
	EXPECT(!req.keep_alive);
	EXPECT_EQ(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), HTTP_COMPLETE);
	EXPECT(req.keep_alive);
	EXPECT_EQ(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"), HTTP_COMPLETE);
	EXPECT(!req.keep_alive);
	/* A later 1.x is served as 1.1. */
	EXPECT_EQ(parse("GET / HTTP/1.2\r\nHost: x\r\n\r\n"), HTTP_COMPLETE);
	EXPECT_EQ(req.minor, 1);
	EXPECT(req.keep_alive);
}

TEST(http, pipelined_requests_each_report_their_length)
{
	static const char s[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
				"HEAD /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
				"\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	const char *p = s;
	size_t left = sizeof s - 1;

	ASSERT_EQ(http_parse(p, left, &req), HTTP_COMPLETE);
	EXPECT(!memcmp(req.target, "/a", 2));
	EXPECT(req.keep_alive);
	p += req.head_len + req.body_len;
	left -= req.head_len + req.body_len;

	ASSERT_EQ(http_parse(p, left, &req), HTTP_COMPLETE);
	EXPECT_EQ(req.method, HTTP_HEAD);
	EXPECT_EQ(req.body_len, 3);
	EXPECT(!memcmp(p + req.head_len, "abc", 3));
	p += req.head_len + req.body_len;
	left -= req.head_len + req.body_len;

	/* The stray CRLF after a body is skipped. */
	ASSERT_EQ(http_parse(p, left, &req), HTTP_COMPLETE);
	EXPECT(!memcmp(req.target, "/c", 2));
	EXPECT(!req.keep_alive);
	EXPECT_EQ(req.head_len, left);
}

TEST(http, partial_input_is_incomplete_until_the_empty_line)
{
	static const char s[] = "GET /partial HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";
	size_t n = sizeof s - 1;

	for (size_t i = 0; i < n; i++) {
		if (http_parse(s, i, &req) != HTTP_INCOMPLETE) {
			test_diag("complete or error after %zu of %zu bytes", i, n);
			EXPECT(0);
		}
	}
	EXPECT_EQ(http_parse(s, n, &req), HTTP_COMPLETE);
	EXPECT_EQ(req.head_len, n);
	EXPECT_EQ(http_parse("", 0, &req), HTTP_INCOMPLETE);
	EXPECT_EQ(http_parse("\r\n\r\n", 4, &req), HTTP_INCOMPLETE);
}

TEST(http, malformed_request_lines_are_400)
{
	static const char *const bad[] = {
		"GET\r\n\r\n",
		"GET /\r\n\r\n",                      /* HTTP/0.9 */
		"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", /* two spaces */
		"GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
		"GET / HTTP/1.10\r\nHost: x\r\n\r\n",
		"GET / HTTP/11\r\nHost: x\r\n\r\n",
		"GET / http/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/a.1\r\nHost: x\r\n\r\n",
		" GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET index.html HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
		"\rGET / HTTP/1.1\r\nHost: x\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int s = status_of(bad[i]);

		if (s != 400)
			test_diag("case %zu: %d", i, s);
		EXPECT_EQ(s, 400);
		EXPECT(!req.keep_alive);
	}
	/* Garbage is refused before a line end arrives. */
	EXPECT_EQ(http_parse("GET /\x01", 6, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 400);
	EXPECT_EQ(http_parse("\x16\x03\x01\x02\x00", 5, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 400);
}

TEST(http, malformed_headers_are_400)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n\r\n", /* no Host */
		"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nName : v\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nA: b\x01\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int s = status_of(bad[i]);

		if (s != 400)
			test_diag("case %zu: %d", i, s);
		EXPECT_EQ(s, 400);
	}
	/* The same Content-Length twice is one length. */
	EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
			    "content-length: 2\r\n\r\n"), 200);
	EXPECT_EQ(req.body_len, 2);
}

TEST(http, unknown_method_is_501_and_known_ones_405)
{
	EXPECT_EQ(status_of("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"), 501);
	/* Refused as soon as the request line is in, headers or not. */
	EXPECT_EQ(status_of("FROB / HTTP/1.1\r\n"), 501);
	EXPECT_EQ(status_of("get / HTTP/1.1\r\nHost: x\r\n\r\n"), 501); /* case matters */
	EXPECT_EQ(status_of("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
		  405);
	EXPECT_EQ(status_of("PUT /f HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 405);
	EXPECT_EQ(status_of("DELETE /f HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 405);
	EXPECT_EQ(status_of("POST /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
		  405);
	EXPECT_EQ(status_of("OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 405);
	/* A 405 reply names what is allowed. */
	{
		char head[256];
		size_t n = http_reply_head(head, sizeof head, 405, NULL, 0, false);

		EXPECT(n > 0);
		EXPECT(strstr(head, "\r\nAllow: GET, HEAD\r\n") != NULL);
	}
}

TEST(http, body_without_length_is_411)
{
	EXPECT_EQ(status_of("POST /form HTTP/1.1\r\nHost: x\r\n\r\n"), 411);
	EXPECT_EQ(status_of("PUT /f HTTP/1.0\r\n\r\n"), 411);
	/* GET may carry a counted body (skipped), not a chunked one. */
	EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), 411);
	EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"), 200);
	EXPECT_EQ(req.body_len, 10);
}

TEST(http, transfer_codings_other_than_chunked_are_501)
{
	EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
		  501);
	EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n"
			    "\r\n"), 501);
}

TEST(http, unsupported_versions_are_505)
{
	EXPECT_EQ(status_of("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
	EXPECT_EQ(status_of("GET / HTTP/0.9\r\n"), 505);
	EXPECT_EQ(status_of("GET / HTTP/3.0\r\n"), 505);
}

TEST(http, long_request_line_is_414)
{
	char s[HTTP_HEAD_MAX + 64];
	size_t n;

	/* Exactly the longest line is fine. */
	n = (size_t)snprintf(s, sizeof s, "GET /");
	memset(s + n, 'a', HTTP_LINE_MAX - n - 11);
	n = HTTP_LINE_MAX - 11;
	n += (size_t)snprintf(s + n, sizeof s - n, " HTTP/1.1\r\nHost: x\r\n\r\n");
	EXPECT_EQ(http_parse(s, n, &req), HTTP_COMPLETE);
	EXPECT_EQ(req.target_len, HTTP_LINE_MAX - 15);

	/* One more byte is too long, whether the line has ended or not. */
	n = (size_t)snprintf(s, sizeof s, "GET /");
	memset(s + n, 'a', HTTP_LINE_MAX - n - 10);
	n = HTTP_LINE_MAX - 10;
	n += (size_t)snprintf(s + n, sizeof s - n, " HTTP/1.1\r\nHost: x\r\n\r\n");
	EXPECT_EQ(http_parse(s, n, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 414);
	EXPECT_EQ(http_parse(s, HTTP_LINE_MAX + 1, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 414);
	EXPECT_EQ(http_parse(s, HTTP_LINE_MAX, &req), HTTP_INCOMPLETE);
}

TEST(http, big_or_many_headers_are_431)
{
	char s[HTTP_HEAD_MAX + 256];
	size_t n;

	/* Too many fields. */
	n = (size_t)snprintf(s, sizeof s, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "X-%d: y\r\n", i);
	n += (size_t)snprintf(s + n, sizeof s - n, "\r\n");
	EXPECT_EQ(http_parse(s, n, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 431);

	/* One field too big: refused when the buffer is full, before its end. */
	n = (size_t)snprintf(s, sizeof s, "GET / HTTP/1.1\r\nHost: x\r\nCookie: ");
	memset(s + n, 'c', sizeof s - n);
	EXPECT_EQ(http_parse(s, HTTP_HEAD_MAX - 1, &req), HTTP_INCOMPLETE);
	EXPECT_EQ(http_parse(s, HTTP_HEAD_MAX, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 431);
	n = HTTP_HEAD_MAX + 10;
	memcpy(s + n - 4, "\r\n\r\n", 4);
	EXPECT_EQ(http_parse(s, n, &req), HTTP_ERROR);
	EXPECT_EQ(req.status, 431);
}

TEST(http, target_paths)
{
	char t[64];
	size_t n;

#define PATH(in, out_)                                                       \
	do {                                                                 \
		n = strlen(in);                                              \
		memcpy(t, in, n);                                            \
		EXPECT_EQ(http_target_path(t, &n), 0);                       \
		t[n] = 0;                                                    \
		EXPECT_STREQ(t, out_);                                       \
	} while (0)
#define BAD(in)                                                              \
	do {                                                                 \
		n = strlen(in);                                              \
		memcpy(t, in, n);                                            \
		EXPECT_EQ(http_target_path(t, &n), 400);                     \
	} while (0)

	PATH("/", "/");
	PATH("/index.html?x=1", "/index.html");
	PATH("/a%20b.txt", "/a b.txt");
	PATH("/%7euser/", "/~user/");
	PATH("/a/./b", "/a/b");
	PATH("/..a/b..", "/..a/b..");
	PATH("//a//b/", "/a/b/");
	PATH("/a/.", "/a/");
	PATH("/.", "/");
	PATH("/./", "/");
	PATH("/.x/", "/.x/");
	PATH("/a/b.", "/a/b.");
	PATH("/%2e/a", "/a");
	BAD("/..");
	BAD("/../etc/programs");
	BAD("/a/../../b");
	BAD("/a/%2e%2e/b");
	BAD("/a/..");
	BAD("/a/../");
	BAD("/a%2fb");
	BAD("/a%00b");
	BAD("/a%");
	BAD("/a%4");
	BAD("/a%zz");
#undef PATH
#undef BAD
}

TEST(http, content_types_by_extension)
{
#define TYPE(p) http_content_type(p, strlen(p))
	EXPECT_STREQ(TYPE("/index.html"), "text/html; charset=utf-8");
	EXPECT_STREQ(TYPE("/a.TXT"), "text/plain; charset=utf-8");
	EXPECT_STREQ(TYPE("/s.css"), "text/css");
	EXPECT_STREQ(TYPE("/app.js"), "text/javascript");
	EXPECT_STREQ(TYPE("/d.json"), "application/json");
	EXPECT_STREQ(TYPE("/i.png"), "image/png");
	EXPECT_STREQ(TYPE("/i.jpg"), "image/jpeg");
	EXPECT_STREQ(TYPE("/i.svg"), "image/svg+xml");
	EXPECT_STREQ(TYPE("/blob.bin"), "application/octet-stream");
	EXPECT_STREQ(TYPE("/noext"), "application/octet-stream");
	EXPECT_STREQ(TYPE("/dir.html/file"), "application/octet-stream");
	EXPECT_STREQ(TYPE("/a.jsonx"), "application/octet-stream");
#undef TYPE
}

TEST(http, reply_heads)
{
	char head[256];
	size_t n = http_reply_head(head, sizeof head, 200, "text/plain", 4096, true);

	EXPECT_STREQ(head, "HTTP/1.1 200 OK\r\nServer: lemmings-httpd\r\nContent-Type: text/plain\r\n"
			   "Content-Length: 4096\r\nConnection: keep-alive\r\n\r\n");
	EXPECT_EQ(n, strlen(head));
	n = http_reply_head(head, sizeof head, 404, NULL, 0, false);
	EXPECT_STREQ(head, "HTTP/1.1 404 Not Found\r\nServer: lemmings-httpd\r\n"
			   "Content-Length: 0\r\nConnection: close\r\n\r\n");
	EXPECT_EQ(http_reply_head(head, 20, 200, "text/plain", 1, true), 0);
	/* The longest heads fit HTTP_REPLY_HEAD_MAX. */
	EXPECT(http_reply_head(head, HTTP_REPLY_HEAD_MAX, 431, "application/octet-stream",
			       UINT64_MAX, true) > 0);
	EXPECT(http_reply_head(head, HTTP_REPLY_HEAD_MAX, 405, "text/html; charset=utf-8",
			       UINT64_MAX, true) > 0);
	EXPECT(http_reply_head(head, HTTP_REPLY_HEAD_MAX, 505, "application/octet-stream",
			       UINT64_MAX, true) > 0);
	EXPECT_STREQ(http_reason(431), "Request Header Fields Too Large");
	EXPECT_STREQ(http_reason(999), "Unknown");
}
