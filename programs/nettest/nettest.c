/*
 * nettest: a client of the Net door that calls the routines httpd does not
 * use, against servers the test runs on the host (tests/net-echo.py), and
 * says for each whether it did what sdk/idl/net.idl promises.
 *
 *     nettest IP ECHO UDP REFUSED FULL
 *
 * IP is the host's address as the system sees it (10.0.2.2 under QEMU's
 * user network, 127.0.0.1 hosted); ECHO a TCP echo server's port, UDP a
 * UDP echo server's, REFUSED a port nothing listens on, FULL a listener
 * whose accept queue is full, so that a SYN to it gets no answer and a
 * connect can only time out. Each check prints "nettest: ok - WHAT" or
 * "nettest: FAILED - WHAT: WHY"; the last line is "nettest: N checks, M
 * failed", and the status is 1 if any failed. Until the system has an
 * address (programs/net waits for DHCP), it first retries a connect.
 *
 * The same binary runs on the kernel (programs/net) and hosted (Linux
 * sockets): tests/net-kernel-client.t and tests/net-hosted.t run it.
 * Buffers are static: a program's first thread has one page of stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/net.h>
#include <lemmings/timer.h>

#define MS 1000000ull
#define WAIT (20000 * MS)  /* liveness bound of a call that should succeed */
#define SHORT (300 * MS)   /* a wait that should run out */
#define ECHO_LEN 20000     /* more than one segment, less than a window */
#define ROUTE_WAIT 600     /* tenths of a second to wait for an address */

static const struct net_door *net;
static int checks, failed;
static uint8_t out[ECHO_LEN], in[ECHO_LEN + 1];

static void check(int ok, const char *what, const char *why)
{
	checks++;
	if (ok) {
		printf("nettest: ok - %s\n", what);
	} else {
		failed++;
		printf("nettest: FAILED - %s: %s\n", what, why);
	}
}

/* Expect a call's error to be `want`; say what came instead. */
static void check_err(net_error got, net_error want, const char *what)
{
	check(got == want, what, lm_err_str(got));
}

/* A dotted quad in host byte order; 0 (any) for a malformed one. */
static uint32_t parse_ip(const char *s)
{
	uint32_t ip = 0;

	for (int i = 0; i < 4; i++) {
		char *end;
		long part = strtol(s, &end, 10);

		if (end == s || part < 0 || part > 255 || (i < 3 ? *end != '.' : *end != '\0'))
			return 0;
		ip = ip << 8 | (uint32_t)part;
		s = end + 1;
	}
	return ip;
}

static int parse_port(const char *s)
{
	char *end;
	long p = strtol(s, &end, 10);

	return end == s || *end || p <= 0 || p > 65535 ? -1 : (int)p;
}

static net_error send_all(net_socket s, const uint8_t *buf, uint64_t len)
{
	while (len) {
		uint64_t sent = 0;
		net_error err = net_send(net, s, buf, len, WAIT, &sent);

		if (err)
			return err;
		buf += sent;
		len -= sent;
	}
	return LM_OK;
}

/* Receive until the peer shuts down or `cap` bytes came; *got says how many. */
static net_error recv_all(net_socket s, uint8_t *buf, uint64_t cap, uint64_t *got)
{
	*got = 0;
	for (;;) {
		uint64_t n = 0;
		net_error err = net_recv(net, s, buf + *got, cap - *got, WAIT, &n);

		if (err)
			return err;
		if (!n || (*got += n) == cap)
			return LM_OK;
	}
}

/* The kernel's stack publishes the Net door before DHCP has given it an
 * address, and until then a connect says no_route: try the echo server
 * every tenth of a second until it says something else. */
static bool wait_for_route(uint32_t ip, int port)
{
	const struct timer_door *timer = timer_door_find();
	timer_create_result t = timer ? timer_create(timer) : 0;
	net_error err = LM_ERR_NOROUTE;
	net_socket s;

	if (!timer || !timer_create_result_is_timer(t))
		return false;
	for (int i = 0; i < ROUTE_WAIT && err == LM_ERR_NOROUTE; i++) {
		err = net_connect(net, ip, (net_port)port, WAIT, &s);
		if (!err)
			net_close(net, s);
		if (err == LM_ERR_NOROUTE) {
			timer_set(timer, t, timer_now(timer) + 100 * MS);
			timer_wait(timer, t);
		}
	}
	timer_destroy(timer, t);
	return err != LM_ERR_NOROUTE;
}

/* TCP echo: connect, local, send, shut down sending, the same bytes back
 * until the server closes, then close; a closed socket names nothing. */
static void tcp_echo(uint32_t ip, int port)
{
	struct net_endpoint local = {0};
	net_socket s;
	uint64_t got = 0;
	net_error err;

	err = net_connect(net, ip, (net_port)port, WAIT, &s);
	check_err(err, LM_OK, "connect to the TCP echo server");
	if (err)
		return;
	err = net_local(net, s, &local);
	check(!err && local.ip && local.port, "local names the connection's own address and port",
	      err ? lm_err_str(err) : "address or port 0");
	for (int i = 0; i < ECHO_LEN; i++)
		out[i] = (uint8_t)(i * 7 + i / 251);
	check_err(send_all(s, out, ECHO_LEN), LM_OK, "send 20000 bytes");
	check_err(net_shutdown(net, s, 1), LM_OK, "shutdown of the sending side");
	check_err(net_send(net, s, out, 1, WAIT, &got), LM_ERR_CLOSED,
		  "send after shutdown of sending says closed");
	err = recv_all(s, in, sizeof in, &got);
	if (err || got != ECHO_LEN)
		printf("nettest: # %llu bytes came back, then: %s\n", (unsigned long long)got,
		       err ? lm_err_str(err) : "the end");
	check(!err && got == ECHO_LEN && !memcmp(in, out, ECHO_LEN),
	      "the 20000 bytes come back, then the end of the stream",
	      err ? lm_err_str(err) : "wrong length or bytes");
	check_err(net_close(net, s), LM_OK, "close");
	check_err(net_recv(net, s, in, 1, WAIT, &got), LM_ERR_NOENT,
		  "recv on the closed socket says not found");
}

/* Shutting down receiving: recv then gives the end of the stream at once
 * (0 bytes; a recv that waited would time out after SHORT), while sending
 * still works. The echo is read whole first: Linux still hands over bytes
 * that came before the shutdown. */
static void tcp_shutdown_receive(uint32_t ip, int port)
{
	net_socket s;
	uint64_t got = 1, sent = 0;
	net_error err;

	err = net_connect(net, ip, (net_port)port, WAIT, &s);
	check_err(err, LM_OK, "connect again");
	if (err)
		return;
	err = net_send(net, s, (const uint8_t *)"ping", 4, WAIT, &sent);
	check(!err && sent == 4, "send 4 bytes", err ? lm_err_str(err) : "not all sent");
	err = LM_OK;
	for (uint64_t have = 0, n = 0; !err && have < 4; have += n) {
		err = net_recv(net, s, in + have, 4 - have, WAIT, &n);
		if (!err && !n)
			err = LM_ERR_CLOSED; /* the server closed early */
	}
	check(!err && !memcmp(in, "ping", 4), "their echo comes back",
	      err ? lm_err_str(err) : "wrong bytes");
	check_err(net_shutdown(net, s, 0), LM_OK, "shutdown of the receiving side");
	err = net_recv(net, s, in, sizeof in, SHORT, &got);
	check(!err && got == 0, "recv after it gives 0 bytes (the end) at once",
	      err ? lm_err_str(err) : "bytes came");
	err = net_send(net, s, (const uint8_t *)"more", 4, WAIT, &sent);
	check(!err && sent == 4, "sending still works", err ? lm_err_str(err) : "not all sent");
	check_err(net_shutdown(net, s, 3), LM_ERR_INVAL, "shutdown with how 3 is invalid");
	check_err(net_close(net, s), LM_OK, "close");
}

static void tcp_refused_and_timeout(uint32_t ip, int refused, int full)
{
	net_socket s = 0;
	net_error err;

	err = net_connect(net, ip, (net_port)refused, WAIT, &s);
	check_err(err, LM_ERR_REFUSED, "connect to a port nobody listens on is refused");
	if (!err)
		net_close(net, s);
	err = net_connect(net, ip, (net_port)full, SHORT, &s);
	check_err(err, LM_ERR_TIMEOUT, "connect to a listener that never answers times out");
	if (!err)
		net_close(net, s);
}

/* UDP: bind to a port the system picks, a recvfrom that times out, one
 * datagram to the echo server and the same bytes back from its address. */
static void udp_echo(uint32_t ip, int port)
{
	static const char msg[] = "a datagram for the UDP echo server";
	struct net_endpoint local = {0}, from = {0};
	uint64_t got = 0;
	net_socket s;
	net_error err;

	err = net_udp_bind(net, 0, 0, &s);
	check_err(err, LM_OK, "udp_bind to a port the system picks");
	if (err)
		return;
	err = net_local(net, s, &local);
	check(!err && local.port, "local names the UDP socket's port",
	      err ? lm_err_str(err) : "port 0");
	check_err(net_recvfrom(net, s, in, sizeof in, SHORT, &got, &from), LM_ERR_TIMEOUT,
		  "recvfrom with nothing sent times out");
	check_err(net_sendto(net, s, ip, (net_port)port, (const uint8_t *)msg, sizeof msg),
		  LM_OK, "sendto the UDP echo server");
	err = net_recvfrom(net, s, in, sizeof in, WAIT, &got, &from);
	check(!err && got == sizeof msg && !memcmp(in, msg, sizeof msg),
	      "recvfrom gets the datagram back", err ? lm_err_str(err) : "wrong length or bytes");
	check(!err && from.ip == ip && from.port == port, "... from the server's address and port",
	      err ? lm_err_str(err) : "another sender");
	check_err(net_recv(net, s, in, 1, SHORT, &got), LM_ERR_INVAL,
		  "recv (a TCP routine) on a UDP socket is invalid");
	check_err(net_close(net, s), LM_OK, "close the UDP socket");
}

int main(int argc, char **argv)
{
	uint32_t ip = argc == 6 ? parse_ip(argv[1]) : 0;
	int echo = argc == 6 ? parse_port(argv[2]) : -1;
	int udp = argc == 6 ? parse_port(argv[3]) : -1;
	int refused = argc == 6 ? parse_port(argv[4]) : -1;
	int full = argc == 6 ? parse_port(argv[5]) : -1;

	if (!ip || echo < 0 || udp < 0 || refused < 0 || full < 0) {
		printf("usage: nettest IP ECHO-PORT UDP-PORT REFUSED-PORT FULL-PORT\n");
		return 2;
	}
	net = net_door_find();
	if (!net) {
		printf("nettest: no Net door on this system\n");
		return 1;
	}
	if (!wait_for_route(ip, echo)) {
		printf("nettest: no route to %s after %d s\n", argv[1], ROUTE_WAIT / 10);
		return 1;
	}
	tcp_echo(ip, echo);
	tcp_shutdown_receive(ip, echo);
	tcp_refused_and_timeout(ip, refused, full);
	udp_echo(ip, udp);
	printf("nettest: %d checks, %d failed\n", checks, failed);
	return failed ? 1 : 0;
}
