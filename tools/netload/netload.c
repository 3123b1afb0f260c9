/*
 * netload: a small HTTP/1.1 load client for tests and benchmarks.
 *
 *   netload [--connections N] [--requests-per-conn M] [--idle SECONDS]
 *           [--length BYTES] [--timeout SECONDS] HOST PORT PATH
 *
 * Opens N connections to HOST:PORT (an IPv4 address; "localhost" means
 * 127.0.0.1) at once and sends M GET requests for PATH on each, one after
 * the other, each sent when the previous answer has been read whole (no
 * pipelining): keep-alive HTTP/1.1. Every answer must be a status 200 with
 * a Content-Length (and, with --length, that one) followed by exactly that
 * many bytes, and nothing may follow before the next request. One thread,
 * one epoll set, edge-triggered: each event drives that connection's state
 * machine until the socket would block.
 *
 * With --idle S, each connection sends one request (M is 1), and when all N
 * are answered the line "idle: N connections open" goes to standard output;
 * then they stay open, idle, for S seconds, which is how bench/net measures
 * what an idle connection costs a server. A connection the server closes
 * meanwhile is an error ("closed").
 *
 * It ends with one summary line on standard output:
 *
 *   netload: N connections, X ok, Y failed; R responses; errors: connect a,
 *            reset b, closed c, timeout d, status e, length f, parse g
 *
 * (on one line), counting for each failed connection the first thing that
 * went wrong with it. Exit status: 0 when every connection got all its
 * answers, 1 otherwise, 2 for usage errors. Everything is bounded in time:
 * connections not finished --timeout seconds (default 60) after the start
 * count as "timeout" (the idle time comes on top). RLIMIT_NOFILE is raised
 * to its hard limit first, since a connection is a descriptor.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* An answer's status line and headers must fit here (servers send a few
 * hundred bytes). */
#define HEAD_MAX 2048

enum conn_state {
	CONN_CONNECTING, /* connect() in progress */
	CONN_SENDING,    /* writing the request */
	CONN_READING,    /* reading the answer */
	CONN_IDLE,       /* --idle: answered, held open */
	CONN_DONE,       /* all answers read, closed */
	CONN_FAILED,     /* closed on its first error */
};

enum err_kind {
	ERR_CONNECT, /* connect() refused or failed */
	ERR_RESET,   /* a read or write failed (reset, broken pipe) */
	ERR_CLOSED,  /* the server closed before the last answer or while idle */
	ERR_TIMEOUT, /* not finished when --timeout ran out */
	ERR_STATUS,  /* an answer that is not 200 */
	ERR_LENGTH,  /* no Content-Length, or not the --length expected */
	ERR_PARSE,   /* not HTTP, a head too long, bytes after an answer */
	ERR_KINDS,
};

static const char *const err_names[ERR_KINDS] = {
	"connect", "reset", "closed", "timeout", "status", "length", "parse",
};

struct conn {
	int fd;
	enum conn_state state;
	uint32_t responses; /* complete answers read */
	uint32_t sent;      /* bytes of the current request written */
	uint32_t head_len;  /* bytes in head[] */
	int64_t body_left;  /* bytes of body still to come; -1 in the head */
	int will_close;     /* the answer said "Connection: close" */
	char head[HEAD_MAX];
};

static struct {
	uint32_t connections;
	uint32_t requests;
	uint32_t idle_seconds;
	uint32_t timeout_seconds;
	int64_t length; /* expected body length, -1 for any */
	int epfd;
	char request[1024];
	uint32_t request_len;
	uint32_t open;   /* connections not yet DONE, FAILED or IDLE */
	uint64_t responses;
	uint64_t errors[ERR_KINDS];
} nl = {
	.connections = 1,
	.requests = 1,
	.timeout_seconds = 60,
	.length = -1,
};

/* Bodies are read into this and dropped. */
static char scratch[65536];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_fail(struct conn *c, enum err_kind kind)
{
	if (c->state == CONN_FAILED || c->state == CONN_DONE)
		return;
	if (c->state != CONN_IDLE)
		nl.open--;
	nl.errors[kind]++;
	c->state = CONN_FAILED;
	close(c->fd);
	c->fd = -1;
}

static void conn_finish(struct conn *c)
{
	nl.open--;
	c->state = CONN_DONE;
	close(c->fd);
	c->fd = -1;
}

/* Reads an unsigned decimal; -1 when there is none or it is too big. */
static int64_t parse_decimal(const char *p, const char *end)
{
	int64_t v = 0;
	int digits = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (++digits > 15)
			return -1;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return digits && p == end ? v : -1;
}

/* The head (status line and headers, head_end bytes up to and including
 * the blank line) is whole: check it and set body_left. Returns 0, or the
 * error kind + 1. */
static int conn_parse_head(struct conn *c, uint32_t head_end)
{
	const char *p = c->head, *end = c->head + head_end;
	const char *eol = memchr(p, '\n', head_end);
	int64_t length = -1;

	if (!eol || head_end < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ')
		return ERR_PARSE + 1;
	if (memcmp(p + 9, "200", 3) != 0 || (p[12] != ' ' && p[12] != '\r'))
		return ERR_STATUS + 1;
	c->will_close = p[7] == '0'; /* HTTP/1.0 closes unless told otherwise */
	for (p = eol + 1; p < end; p = eol + 1) {
		const char *colon, *line_end;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;
		line_end = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		colon = memchr(p, ':', (size_t)(line_end - p));
		if (!colon)
			continue; /* the blank line */
		if (colon - p == 14 && strncasecmp(p, "content-length", 14) == 0) {
			length = parse_decimal(colon + 1, line_end);
			if (length < 0)
				return ERR_LENGTH + 1;
		} else if (colon - p == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
			return ERR_LENGTH + 1; /* chunked: no Content-Length to check */
		} else if (colon - p == 10 && strncasecmp(p, "connection", 10) == 0) {
			const char *v = colon + 1;

			while (v < line_end && *v == ' ')
				v++;
			if (line_end - v >= 5 && strncasecmp(v, "close", 5) == 0)
				c->will_close = 1;
			else if (line_end - v >= 10 && strncasecmp(v, "keep-alive", 10) == 0)
				c->will_close = 0;
		}
	}
	if (length < 0 || (nl.length >= 0 && length != nl.length))
		return ERR_LENGTH + 1;
	if ((int64_t)(c->head_len - head_end) > length)
		return ERR_PARSE + 1; /* more than the body before we asked again */
	c->body_left = length - (c->head_len - head_end);
	return 0;
}

/* One answer read whole: send the next request, hold the connection
 * idle, or close it. */
static void conn_answered(struct conn *c)
{
	c->responses++;
	nl.responses++;
	c->head_len = 0;
	c->body_left = -1;
	if (c->responses < nl.requests) {
		if (c->will_close) {
			conn_fail(c, ERR_CLOSED);
			return;
		}
		c->state = CONN_SENDING;
		c->sent = 0;
	} else if (nl.idle_seconds) {
		if (c->will_close) {
			conn_fail(c, ERR_CLOSED);
			return;
		}
		nl.open--;
		c->state = CONN_IDLE;
	} else {
		conn_finish(c);
	}
}

/* Reads what there is of the answer. Returns 1 to go on, 0 when the
 * socket would block or the connection changed state for good. */
static int conn_read(struct conn *c)
{
	ssize_t n;

	if (c->body_left < 0) {
		char *blank;

		n = read(c->fd, c->head + c->head_len, HEAD_MAX - c->head_len);
		if (n > 0) {
			int err;

			c->head_len += (uint32_t)n;
			blank = memmem(c->head, c->head_len, "\r\n\r\n", 4);
			if (!blank) {
				if (c->head_len == HEAD_MAX)
					conn_fail(c, ERR_PARSE);
				return c->state == CONN_READING;
			}
			err = conn_parse_head(c, (uint32_t)(blank + 4 - c->head));
			if (err) {
				conn_fail(c, (enum err_kind)(err - 1));
				return 0;
			}
		}
	} else {
		n = read(c->fd, scratch, sizeof scratch);
		if (n > c->body_left) {
			conn_fail(c, ERR_PARSE);
			return 0;
		}
		if (n > 0)
			c->body_left -= n;
	}
	if (n == 0) {
		conn_fail(c, ERR_CLOSED);
		return 0;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return errno == EINTR;
		conn_fail(c, ERR_RESET);
		return 0;
	}
	if (c->body_left == 0)
		conn_answered(c);
	return c->state == CONN_READING || c->state == CONN_SENDING;
}

/* Drives one connection as far as its socket lets it. */
static void conn_drive(struct conn *c, uint32_t events)
{
	for (;;) {
		switch (c->state) {
		case CONN_CONNECTING: {
			int err = 0;
			socklen_t len = sizeof err;

			if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
				return;
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
				conn_fail(c, ERR_CONNECT);
				return;
			}
			c->state = CONN_SENDING;
			c->sent = 0;
			break;
		}
		case CONN_SENDING: {
			ssize_t n = write(c->fd, nl.request + c->sent, nl.request_len - c->sent);

			if (n < 0) {
				if (errno == EINTR)
					break;
				if (errno != EAGAIN)
					conn_fail(c, ERR_RESET);
				return;
			}
			c->sent += (uint32_t)n;
			if (c->sent == nl.request_len) {
				c->state = CONN_READING;
				c->head_len = 0;
				c->body_left = -1;
				c->will_close = 0;
			}
			break;
		}
		case CONN_READING:
			if (!conn_read(c))
				return;
			break;
		case CONN_IDLE: {
			/* Nothing should come: a close, a reset or stray bytes. */
			ssize_t n = read(c->fd, scratch, sizeof scratch);

			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			conn_fail(c, n == 0 ? ERR_CLOSED : n < 0 ? ERR_RESET : ERR_PARSE);
			return;
		}
		case CONN_DONE:
		case CONN_FAILED:
			return;
		}
	}
}

static int conn_open(struct conn *c, const struct sockaddr_in *to)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->state = CONN_CONNECTING;
	c->body_left = -1;
	nl.open++;
	if (c->fd < 0) {
		fprintf(stderr, "netload: socket: %s\n", strerror(errno));
		conn_fail(c, ERR_CONNECT);
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (epoll_ctl(nl.epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		fprintf(stderr, "netload: epoll_ctl: %s\n", strerror(errno));
		conn_fail(c, ERR_CONNECT);
		return -1;
	}
	if (connect(c->fd, (const struct sockaddr *)to, sizeof *to) < 0 && errno != EINPROGRESS) {
		conn_fail(c, ERR_CONNECT);
		return -1;
	}
	return 0;
}

/* Waits for events and drives connections until none is open (all DONE,
 * FAILED or IDLE; with stop_when_settled 0, until the deadline alone). */
static void run_until(int64_t deadline, int stop_when_settled)
{
	static struct epoll_event events[1024];

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (stop_when_settled && nl.open == 0)
			return;
		if (left <= 0)
			return;
		n = epoll_wait(nl.epfd, events, 1024, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "netload: epoll_wait: %s\n", strerror(errno));
			exit(1);
		}
		for (int i = 0; i < n; i++)
			conn_drive(events[i].data.ptr, events[i].events);
	}
}

static void raise_fd_limit(uint32_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)need + 16) {
		fprintf(stderr, "netload: %u connections need %u descriptors; the limit is %llu\n",
			need, need + 16, (unsigned long long)rl.rlim_cur);
		exit(2);
	}
}

static int usage(const char *msg)
{
	fprintf(stderr, "netload: %s\nusage: netload [--connections N] [--requests-per-conn M] "
		"[--idle SECONDS] [--length BYTES] [--timeout SECONDS] HOST PORT PATH\n", msg);
	return 2;
}

/* A whole positive number up to max, or -1. */
static long parse_count(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "connections", required_argument, NULL, 'c' },
		{ "requests-per-conn", required_argument, NULL, 'r' },
		{ "idle", required_argument, NULL, 'i' },
		{ "length", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct conn *conns;
	const char *host;
	uint32_t ok = 0;
	long port, v;
	int opt, n;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		v = opt == '?' ? -1 : parse_count(optarg, opt == 'l' ? 1L << 40 : 1000000);
		if (v < 0 || (v == 0 && (opt == 'c' || opt == 'r' || opt == 't')))
			return usage("bad option");
		switch (opt) {
		case 'c': nl.connections = (uint32_t)v; break;
		case 'r': nl.requests = (uint32_t)v; break;
		case 'i': nl.idle_seconds = (uint32_t)v; break;
		case 'l': nl.length = v; break;
		case 't': nl.timeout_seconds = (uint32_t)v; break;
		}
	}
	if (argc - optind != 3)
		return usage("HOST PORT PATH expected");
	host = argv[optind];
	port = parse_count(argv[optind + 1], 65535);
	if (port <= 0)
		return usage("bad port");
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &to.sin_addr) != 1)
		return usage("HOST must be an IPv4 address");
	to.sin_port = htons((uint16_t)port);
	if (argv[optind + 2][0] != '/')
		return usage("PATH must start with /");
	if (nl.idle_seconds)
		nl.requests = 1;
	n = snprintf(nl.request, sizeof nl.request, "GET %s HTTP/1.1\r\nHost: %s:%ld\r\n\r\n",
		     argv[optind + 2], host, port);
	if (n < 0 || (size_t)n >= sizeof nl.request)
		return usage("PATH too long");
	nl.request_len = (uint32_t)n;

	raise_fd_limit(nl.connections);
	conns = calloc(nl.connections, sizeof *conns);
	nl.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || nl.epfd < 0) {
		fprintf(stderr, "netload: out of memory or descriptors\n");
		return 1;
	}

	int64_t deadline = now_ms() + (int64_t)nl.timeout_seconds * 1000;

	for (uint32_t i = 0; i < nl.connections; i++)
		conn_open(&conns[i], &to);
	run_until(deadline, 1);
	for (uint32_t i = 0; i < nl.connections; i++)
		if (conns[i].state != CONN_DONE && conns[i].state != CONN_FAILED &&
		    conns[i].state != CONN_IDLE)
			conn_fail(&conns[i], ERR_TIMEOUT);

	if (nl.idle_seconds) {
		uint32_t idle = 0;

		for (uint32_t i = 0; i < nl.connections; i++)
			idle += conns[i].state == CONN_IDLE;
		if (idle == nl.connections) {
			printf("idle: %u connections open\n", idle);
			fflush(stdout);
			run_until(now_ms() + (int64_t)nl.idle_seconds * 1000, 0);
		}
		for (uint32_t i = 0; i < nl.connections; i++)
			if (conns[i].state == CONN_IDLE) {
				close(conns[i].fd);
				conns[i].fd = -1;
				conns[i].state = CONN_DONE;
			}
	}

	for (uint32_t i = 0; i < nl.connections; i++)
		ok += conns[i].state == CONN_DONE;
	printf("netload: %u connections, %u ok, %u failed; %llu responses; errors:", nl.connections,
	       ok, nl.connections - ok, (unsigned long long)nl.responses);
	for (int k = 0; k < ERR_KINDS; k++)
		printf("%s %s %llu", k ? "," : "", err_names[k], (unsigned long long)nl.errors[k]);
	printf("\n");
	return ok == nl.connections ? 0 : 1;
}
