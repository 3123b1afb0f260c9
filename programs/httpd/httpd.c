/*
 * httpd: an HTTP/1.1 server with a thread per connection, serving the files
 * of the boot archive under a root folder.
 *
 *     httpd [port [root [idle-ms [head-ms]]]]
 *
 * port is 80 by default (0 lets the system pick; the line "httpd: listening
 * on 0.0.0.0:PORT, serving ROOT" says which), root /www. It serves GET and
 * HEAD of the archive's regular files under root ("/" and any path ending
 * in "/" mean that folder's index.html), and /stats, a small text page of
 * counters. Without a Net door (the kernel has no network yet) it says so
 * and ends with status 0.
 *
 * Threads: the first thread accepts; every connection gets a thread of its
 * own with one page of stack (threads_spawn, stack_pages 1), which holds
 * the connection's buffer (HTTP_HEAD_MAX bytes) and does the blocking
 * receives and sends; nothing is allocated per connection. A file's bytes
 * go out from the archive image itself (boot_archive bytes), after the
 * reply's head, in one send_two. Counters are the only shared state,
 * updated with atomics.
 *
 * Timeouts, so that idle or slow clients (slowloris) cannot hold threads:
 * - idle-ms (default 10000): how long a connection may wait for the first
 *   byte of its next request, and how long a send may make no progress;
 * - head-ms (default 10000): how long a request's head may take to arrive
 *   in full, counted from its first byte (a client dribbling bytes gets no
 *   more).
 * A connection that runs out of either is closed (with 408 if part of a
 * request had come).
 *
 * Errors: a request the parser refuses (http.h: 400, 405, 411, 414, 431,
 * 501, 505) gets its status and the connection is closed; 404 for a path
 * that is not there, 403 for a folder without index.html, 400 for a target
 * with a ".." segment. An accept or a spawn that fails (out of sockets,
 * threads or memory) is logged the first time, counted in /stats, and the
 * server goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/boot_archive.h>
#include <lemmings/net.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#include "programs/httpd/http.h"

#define MS 1000000ull
#define IDLE_MS 10000
#define HEAD_MS 10000
#define BACKLOG 1024
#define PRIORITY 3       /* Regular, as the loader starts programs */
#define RETRY_MS 10      /* pause after a failed accept */
#define LINGER_BYTES 65536 /* read and dropped after an error reply */
#define MODE_TYPE 0170000u
#define MODE_DIR 0040000u
#define MODE_FILE 0100000u

static const struct net_door *net;
static const struct threads_door *threads;
static const struct timer_door *timer;
static const struct boot_archive_door *archive;
static boot_archive_node root;
static uint64_t idle_ns = IDLE_MS * MS, head_ns = HEAD_MS * MS;

/* Counters for /stats, updated with atomics from every thread. */
static uint64_t open_count, served_count, request_count, spawned_count, ended_count;
static uint64_t accept_errors, spawn_errors;

static void count(uint64_t *c, int64_t by)
{
	__atomic_add_fetch(c, (uint64_t)by, __ATOMIC_RELAXED);
}

static uint64_t read_count(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Send head then body (either may be empty), calling again after a partial
 * send; false when the connection failed or made no progress for idle_ns. */
static bool send_all(net_socket s, const char *head, uint64_t head_len, const uint8_t *body,
		     uint64_t body_len)
{
	while (head_len || body_len) {
		uint64_t sent = 0;
		net_error err;

		if (head_len && body_len)
			err = net_send_two(net, s, (const uint8_t *)head, head_len, body, body_len,
					   idle_ns, &sent);
		else if (head_len)
			err = net_send(net, s, (const uint8_t *)head, head_len, idle_ns, &sent);
		else
			err = net_send(net, s, body, body_len, idle_ns, &sent);
		if (err || !sent)
			return false;
		if (sent >= head_len) {
			sent -= head_len;
			head_len = 0;
			body += sent;
			body_len -= sent;
		} else {
			head += sent;
			head_len -= sent;
		}
	}
	return true;
}

/* A reply with a short text body (an error's status, or /stats); false if
 * it could not be sent. */
static bool reply_text(net_socket s, int status, const char *text, size_t len, bool head_only,
		       bool keep_alive)
{
	char head[256];
	size_t n = http_reply_head(head, sizeof head, status, "text/plain; charset=utf-8", len,
				   keep_alive);

	return n && send_all(s, head, n, (const uint8_t *)text, head_only ? 0 : len);
}

static bool reply_status(net_socket s, int status, bool head_only, bool keep_alive)
{
	char text[64];
	int n = snprintf(text, sizeof text, "%d %s\n", status, http_reason(status));

	return reply_text(s, status, text, (size_t)n, head_only, keep_alive);
}

/*
 * The file at path[0, len) under root: 200 with its bytes and content type,
 * 404 when there is no such regular file (a folder named without its final
 * "/" included), 403 for a folder without index.html.
 */
static int find_file(const char *path, size_t len, const uint8_t **bytes, uint64_t *size,
		     const char **type)
{
	struct boot_archive_info info = {.node = root, .mode = MODE_DIR};
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start || (i - start == 1 && path[start] == '.'))
			continue;
		if ((info.mode & MODE_TYPE) != MODE_DIR ||
		    boot_archive_find(archive, info.node, (const uint8_t *)path + start, i - start,
				      &info))
			return 404;
	}
	if ((info.mode & MODE_TYPE) == MODE_DIR) {
		if (len && path[len - 1] != '/')
			return 404;
		if (boot_archive_find(archive, info.node, (const uint8_t *)"index.html", 10, &info))
			return 403;
	}
	if ((info.mode & MODE_TYPE) != MODE_FILE ||
	    boot_archive_bytes(archive, info.node, bytes, size))
		return 404;
	*type = http_content_type((const char *)info.name, info.name_len);
	return 200;
}

static bool reply_stats(net_socket s, bool head_only, bool keep_alive)
{
	char text[256];
	int n = snprintf(text, sizeof text,
			 "connections open: %llu\nconnections served: %llu\nrequests: %llu\n"
			 "threads alive: %llu\naccept errors: %llu\nspawn errors: %llu\n",
			 (unsigned long long)read_count(&open_count),
			 (unsigned long long)read_count(&served_count),
			 (unsigned long long)read_count(&request_count),
			 (unsigned long long)(read_count(&spawned_count) - read_count(&ended_count)),
			 (unsigned long long)read_count(&accept_errors),
			 (unsigned long long)read_count(&spawn_errors));

	return reply_text(s, 200, text, (size_t)n, head_only, keep_alive);
}

/* Answer one parsed request; false when the connection is to be closed. */
static bool respond(net_socket s, struct http_request *req)
{
	char head[256];
	char *path = (char *)req->target;
	size_t len = req->target_len, n;
	const uint8_t *bytes = NULL;
	uint64_t size = 0;
	const char *type = NULL;
	bool head_only = req->method == HTTP_HEAD;
	int status;

	if (http_target_path(path, &len)) {
		reply_status(s, 400, head_only, false);
		return false;
	}
	if (len == 6 && !memcmp(path, "/stats", 6))
		return reply_stats(s, head_only, req->keep_alive) && req->keep_alive;
	status = find_file(path, len, &bytes, &size, &type);
	if (status != 200)
		return reply_status(s, status, head_only, req->keep_alive) && req->keep_alive;
	n = http_reply_head(head, sizeof head, 200, type, size, req->keep_alive);
	return n && send_all(s, head, n, bytes, head_only ? 0 : size) && req->keep_alive;
}

/* Receive into buf[have, cap) until the deadline (ns on the timer's clock):
 * how many bytes came, 0 at the peer's end, -1 on a timeout or an error. */
static int64_t receive(net_socket s, char *buf, size_t have, size_t cap, uint64_t deadline)
{
	uint64_t now = timer_now(timer), got = 0;

	if (now >= deadline)
		return -1;
	if (net_recv(net, s, (uint8_t *)buf + have, cap - have, deadline - now, &got))
		return -1;
	return (int64_t)got;
}

/* After an error reply: stop sending, then read (and drop) what the client
 * still sends for a moment, so that closing with unread bytes does not
 * reset the connection before the client has read the reply. */
static void linger(net_socket s, char *buf, size_t cap)
{
	uint64_t deadline = timer_now(timer) + (idle_ns < 1000 * MS ? idle_ns : 1000 * MS);
	int64_t got = 1, total = 0;

	net_shutdown(net, s, 1);
	while (got > 0 && total < LINGER_BYTES) {
		got = receive(s, buf, 0, cap, deadline);
		total += got;
	}
}

/* Serve requests on one connection until it closes, fails or times out. */
static void serve(net_socket s)
{
	char buf[HTTP_HEAD_MAX];
	size_t have = 0;

	for (;;) {
		struct http_request req;
		uint64_t deadline = timer_now(timer) + (have ? head_ns : idle_ns), used;
		enum http_result r;
		int64_t got;

		/* Wait for the whole head: idle_ns for its first byte, then
		 * head_ns from that byte on. */
		while ((r = http_parse(buf, have, &req)) == HTTP_INCOMPLETE) {
			got = receive(s, buf, have, sizeof buf, deadline);
			if (got <= 0) {
				if (got < 0 && have)
					reply_status(s, 408, false, false);
				return;
			}
			if (!have)
				deadline = timer_now(timer) + head_ns;
			have += (size_t)got;
		}
		if (r == HTTP_ERROR) {
			if (reply_status(s, req.status, false, false))
				linger(s, buf, sizeof buf);
			return;
		}
		count(&request_count, 1);
		if (!respond(s, &req))
			return;
		/* Drop this request's bytes (and any body) and keep the next. */
		used = req.head_len + req.body_len;
		if (used <= have) {
			memmove(buf, buf + used, have - used);
			have -= (size_t)used;
			continue;
		}
		used -= have;
		have = 0;
		deadline = timer_now(timer) + head_ns;
		while (used) {
			got = receive(s, buf, 0, used < sizeof buf ? used : sizeof buf, deadline);
			if (got <= 0)
				return;
			used -= (uint64_t)got;
		}
	}
}

static void connection(uintptr_t arg)
{
	net_socket s = (net_socket)arg;

	count(&open_count, 1);
	serve(s);
	net_close(net, s);
	count(&open_count, -1);
	count(&served_count, 1);
	count(&ended_count, 1);
}

/* A decimal argument in [0, max], or -1. */
static long number(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= 0 && v <= max ? v : -1;
}

static void pause_ms(timer_timer t, uint64_t ms)
{
	timer_set(timer, t, timer_now(timer) + ms * MS);
	timer_wait(timer, t);
}

int main(int argc, char **argv)
{
	long port = argc > 1 ? number(argv[1], 65535) : 80;
	const char *root_path = argc > 2 ? argv[2] : "/www";
	long idle_ms = argc > 3 ? number(argv[3], 86400000) : IDLE_MS;
	long head_ms = argc > 4 ? number(argv[4], 86400000) : HEAD_MS;
	struct boot_archive_info info;
	struct net_endpoint local, peer;
	timer_create_result pause;
	net_socket listener, s;
	net_error err;

	if (port < 0 || idle_ms <= 0 || head_ms <= 0 || argc > 5) {
		printf("usage: httpd [port [root [idle-ms [head-ms]]]]\n");
		return 2;
	}
	idle_ns = (uint64_t)idle_ms * MS;
	head_ns = (uint64_t)head_ms * MS;
	net = net_door_find();
	if (!net) {
		printf("httpd: no Net door on this system; nothing to serve\n");
		return 0;
	}
	threads = threads_door_find();
	timer = timer_door_find();
	archive = boot_archive_door_find();
	if (!threads || !timer || !archive) {
		printf("httpd: the threads, timer and boot archive doors are needed\n");
		return 1;
	}
	pause = timer_create(timer);
	if (!timer_create_result_is_timer(pause)) {
		printf("httpd: cannot create a timer\n");
		return 1;
	}
	if (boot_archive_lookup(archive, (const uint8_t *)root_path, &info) ||
	    (info.mode & MODE_TYPE) != MODE_DIR) {
		printf("httpd: %s is not a folder of the boot archive\n", root_path);
		return 1;
	}
	root = info.node;
	err = net_listen(net, 0, (net_port)port, BACKLOG, &listener);
	if (!err)
		err = net_local(net, listener, &local);
	if (err) {
		printf("httpd: cannot listen on 0.0.0.0:%ld: %s\n", port, lm_err_str(err));
		return 1;
	}
	printf("httpd: listening on 0.0.0.0:%u, serving %s\n", local.port, root_path);

	for (;;) {
		threads_spawn_result t;

		err = net_accept(net, listener, 0, &s, &peer);
		if (err) {
			if (__atomic_fetch_add(&accept_errors, 1, __ATOMIC_RELAXED) == 0)
				printf("httpd: accept failed (%s); going on (counted in /stats)\n",
				       lm_err_str(err));
			pause_ms(pause, RETRY_MS);
			continue;
		}
		count(&spawned_count, 1);
		t = threads_spawn(threads, connection, (uintptr_t)s, PRIORITY, 1,
				  (threads_name)(uintptr_t)"httpd connection");
		if (!threads_spawn_result_is_thread(t)) {
			count(&spawned_count, -1);
			net_close(net, s);
			if (__atomic_fetch_add(&spawn_errors, 1, __ATOMIC_RELAXED) == 0)
				printf("httpd: cannot start a connection thread (%s); going on "
				       "(counted in /stats)\n", lm_err_str((enum lm_err)t));
		}
	}
}
