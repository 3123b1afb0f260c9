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
 * receives and sends; nothing is allocated per connection.
 *
 * Files: at start httpd indexes every file and folder under root (at most
 * FILES_MAX, DEPTH_MAX folders deep) in a hash table of paths, with a
 * pointer to each file's bytes in the archive image (boot_archive bytes):
 * the archive never changes, so the index stays true. A request then costs
 * one hash lookup, and no archive walk runs on a connection's small stack.
 * A file goes out from the archive image itself, after the reply's head,
 * in one send_two. The index is only read after start; counters are the
 * only state that changes, updated with atomics.
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
#define BACKLOG 4096     /* Linux caps it at net.core.somaxconn (4096 by default) */
#define PRIORITY 3       /* Regular, as the loader starts programs */
#define RETRY_MS 10      /* pause after a failed accept */
#define LINGER_BYTES 65536 /* read and dropped after an error reply */
#define MODE_TYPE 0170000u
#define MODE_DIR 0040000u
#define MODE_FILE 0100000u

#define FILES_MAX 2048       /* files and folders indexed under root */
#define SLOTS 4096           /* hash slots: twice FILES_MAX, so probes stay short */
#define NAMES_MAX (64 * 1024) /* bytes of their paths */
#define PATH_MAX 512
#define DEPTH_MAX 16         /* folders deeper than this are not indexed */

/* An entry under root: its path relative to root ("" for root itself,
 * "/a/b" below it), and for a file its bytes in the archive and its type,
 * for a folder its index.html if any. Made once at start, then only read. */
struct file {
	const char *path;
	uint32_t path_len;
	bool dir;
	const uint8_t *bytes;
	uint64_t size;
	const char *type;
	const struct file *index;
};

static struct file files[FILES_MAX];
static uint16_t slots[SLOTS]; /* 0 free, else 1 + an index into files */
static uint32_t file_count;
static char names[NAMES_MAX];
static size_t name_used;

static const struct net_door *net;
static const struct threads_door *threads;
static const struct timer_door *timer;
static const struct boot_archive_door *archive;
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

/* Send a reply: its head, then body unless head_only; false if it could
 * not be sent. Not inlined, like the other steps of a reply, so that only
 * one step's buffers are on the connection's one-page stack at a time. */
static __attribute__((noinline)) bool reply(net_socket s, int status, const char *type,
					    const void *body, uint64_t len, bool head_only,
					    bool keep_alive)
{
	char head[HTTP_REPLY_HEAD_MAX];
	size_t n = http_reply_head(head, sizeof head, status, type, len, keep_alive);

	return n && send_all(s, head, n, body, head_only ? 0 : len);
}

/* A status other than 200, its reason phrase as the body. */
static bool reply_status(net_socket s, int status, bool head_only, bool keep_alive)
{
	const char *reason = http_reason(status);

	return reply(s, status, "text/plain; charset=utf-8", reason, strlen(reason), head_only,
		     keep_alive);
}

/* FNV-1a, for the index's hash table. */
static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static const struct file *index_find(const char *path, size_t len)
{
	for (uint32_t i = hash(path, len);; i++) {
		uint16_t slot = slots[i % SLOTS];
		const struct file *f = &files[slot - 1];

		if (!slot)
			return NULL;
		if (f->path_len == len && !memcmp(f->path, path, len))
			return f;
	}
}

/* Add root's entry at path (relative, "" for root itself, "/a/b" below). */
static bool index_add(const char *path, size_t len, const struct boot_archive_info *info)
{
	struct file *f = &files[file_count];
	uint32_t i;

	if (file_count == FILES_MAX || len > sizeof names - name_used)
		return false;
	f->path = names + name_used;
	f->path_len = (uint32_t)len;
	memcpy(names + name_used, path, len);
	name_used += len;
	f->dir = (info->mode & MODE_TYPE) == MODE_DIR;
	if (!f->dir && ((info->mode & MODE_TYPE) != MODE_FILE ||
			boot_archive_bytes(archive, info->node, &f->bytes, &f->size)))
		return true; /* a link or a device: not served, so not listed */
	if (!f->dir)
		f->type = http_content_type((const char *)info->name, info->name_len);
	for (i = hash(path, len); slots[i % SLOTS]; i++)
		;
	slots[i % SLOTS] = (uint16_t)++file_count;
	return true;
}

/*
 * Index the folder dir, whose path (relative to root) is path[0, len):
 * every entry below it, and each folder's index.html, down to DEPTH_MAX
 * folders (the recursion runs on the first thread's one page). The path
 * buffer is shared down the recursion. False when the index is full.
 */
static bool index_folder(boot_archive_node dir, char *path, size_t len, struct file *folder,
			 int depth)
{
	struct boot_archive_info info;
	uint64_t cookie = 0;

	while (!boot_archive_next(archive, dir, &cookie, &info)) {
		size_t n = len + 1 + info.name_len;
		struct file *f;

		if (n >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, info.name, info.name_len);
		f = &files[file_count];
		if (!index_add(path, n, &info))
			return false;
		if (f != &files[file_count] - 1)
			continue; /* not listed */
		if (!f->dir && info.name_len == 10 && !memcmp(info.name, "index.html", 10))
			folder->index = f;
		if (f->dir && depth < DEPTH_MAX && !index_folder(info.node, path, n, f, depth + 1))
			return false;
	}
	return true;
}

/*
 * The reply for path[0, len) (as http_target_path leaves it): 200 with the
 * file, 404 when there is no such file (or a folder named without its
 * final '/', or a file with one), 403 for a folder without index.html.
 */
static int find_file(const char *path, size_t len, const struct file **out)
{
	bool folder = path[len - 1] == '/';
	const struct file *f = index_find(path, folder ? len - 1 : len);

	if (!f || f->dir != folder)
		return 404;
	if (folder && !f->index)
		return 403;
	*out = folder ? f->index : f;
	return 200;
}

static __attribute__((noinline)) bool reply_stats(net_socket s, bool head_only,
						   bool keep_alive)
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

	return reply(s, 200, "text/plain; charset=utf-8", text, (size_t)n, head_only,
		     keep_alive);
}

/* Answer one parsed request; false when the connection is to be closed. */
static __attribute__((noinline)) bool respond(net_socket s, struct http_request *req)
{
	char *path = (char *)req->target;
	size_t len = req->target_len;
	const struct file *f = NULL;
	bool head_only = req->method == HTTP_HEAD, keep = req->keep_alive;
	int status;

	if (http_target_path(path, &len)) {
		reply_status(s, 400, head_only, false);
		return false;
	}
	if (len == 6 && !memcmp(path, "/stats", 6))
		return reply_stats(s, head_only, keep) && keep;
	status = find_file(path, len, &f);
	if (status != 200)
		return reply_status(s, status, head_only, keep) && keep;
	return reply(s, 200, f->type, f->bytes, f->size, head_only, keep) && keep;
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
	{
		static char path[PATH_MAX];

		if (!index_add("", 0, &info) || !index_folder(info.node, path, 0, &files[0], 0))
			printf("httpd: more than %d files or %d bytes of names under %s; "
			       "serving the first %u\n", FILES_MAX, NAMES_MAX, root_path, file_count);
	}
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
