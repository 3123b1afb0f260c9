#!/bin/bash
# The network stack of bare Lemmings end to end: QEMU boots the default
# program list with a virtio network card on its user network and a port of
# 127.0.0.1 forwarded to the guest's port 80 (hostfwd; nothing leaves this
# machine). programs/net (lwIP) takes its address from QEMU's DHCP and
# pings the gateway; httpd, the same binary as in tests/net-hosted.t,
# serves the boot archive's /www. curl, bash's /dev/tcp, tools/netload and
# wrk check: files byte for byte, 1,000 requests on one keep-alive
# connection and 200 on new connections one after another, every malformed
# request of tests/net-hosted.t with the same status, clients that vanish mid-request
# or mid-answer (three rounds of 400, more than the stack's 1,024 sockets,
# so a socket left behind fails a later round; then /stats shows no
# connection or thread left), wrk with 100 connections reporting no error,
# a ping of the gateway typed at the shell, and the stack's socket count
# (the Ping door's `sockets`) back to httpd's listener alone, and lwIP's heap and
# pools back to what they held before the vanishing clients. Then a boot with no network
# card: net and httpd each say why they end, and init starts everything
# else. Every step is bounded in time.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

dir=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; rm -f "$LOG"; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; rm -rf "$dir"; true' EXIT

TESTS=22
echo 1..$TESTS
if ! command -v curl >/dev/null || ! command -v wrk >/dev/null; then
	for i in $(seq $TESTS); do echo "ok $i # skip no curl or wrk"; done
	exit 0
fi

# A port of 127.0.0.1 no socket uses (tests/lib.sh).
port=$(free_port)
url=http://127.0.0.1:$port
www=build/archive/www

# The console is the shell's: its input comes from a FIFO (fd 3), for the
# ping at the end.
mkfifo "$dir/console"
tools/qemu-run --smp 2 --mem 512M --initrd build/archive.cpio -- \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=n0 \
	-monitor none <"$dir/console" >"$LOG" 2>&1 &
QEMU_PID=$!
exec 3>"$dir/console"
for _ in $(seq 1200); do # 120 s at most, for the lease and httpd
	log_has '^net: ping ' && log_has '^httpd: listening' && break
	kill -0 "$QEMU_PID" 2>/dev/null || break
	sleep 0.1
done

check "net logs the address DHCP gave" log_has '^net: DHCP lease 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2'
check "net pings the gateway and gets a reply" log_has '^net: ping 10\.0\.2\.2: reply in [0-9]+ us'
check "net starts httpd once the Net door is up, and httpd listens on 80" \
	log_has '^httpd: listening on 0\.0\.0\.0:80, serving /www'

get() {
	p=$1
	shift
	timeout 15 curl -sS --max-time 12 "$@" "$url$p"
}

get /64k.bin >"$dir/64k" 2>/dev/null
check "a 64 KiB file comes back byte for byte through the forwarded port" cmp -s "$dir/64k" "$www/64k.bin"
get /4k.txt >"$dir/4k" 2>/dev/null
check "a 4 KiB file comes back byte for byte" cmp -s "$dir/4k" "$www/4k.txt"

timeout 120 build/tools/netload --connections 1 --requests-per-conn 1000 --length 4096 \
	--timeout 100 127.0.0.1 "$port" /4k.txt >"$dir/keepalive" 2>&1
check "1,000 requests on one keep-alive connection: $(tail -n 1 "$dir/keepalive")" \
	grep -q '^netload: 1 connections, 1 ok, 0 failed; 1000 responses' "$dir/keepalive"
ok=0
for _ in $(seq 200); do
	[ "$(get /4k.txt -o /dev/null -w '%{http_code} %{size_download}' 2>/dev/null)" = "200 4096" ] &&
		ok=$((ok + 1))
done
check "200 requests on new connections, one after another ($ok ok)" [ "$ok" = 200 ]
# (Not 200 at once: QEMU's user network listens on the forwarded port with
# a backlog of 1, and connections that overflow it on the host can stay
# half open for minutes, whatever the guest does. docs/net.md, "Limits".)

# The malformed requests of tests/net-hosted.t, with the statuses Linux's
# sockets gave there.
long=$(printf '%02100d' 0)
statuses=$(
	http_status 'GET /a/../4k.txt HTTP/1.1\r\nHost: x\r\n\r\n'
	http_status 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n'
	http_status 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n'
	http_status 'DELETE /4k.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'
	http_status 'POST /f HTTP/1.1\r\nHost: x\r\n\r\n'
	http_status "GET /$long HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
	http_status "GET / HTTP/1.1\\r\\nHost: x\\r\\nCookie: $long\\r\\n\\r\\n"
	http_status 'GET / HTTP/2.0\r\n\r\n'
)
check "each malformed request gets the status it gets hosted" [ "$statuses" = "HTTP/1.1 400 Bad Request
HTTP/1.1 400 Bad Request
HTTP/1.1 501 Not Implemented
HTTP/1.1 405 Method Not Allowed
HTTP/1.1 411 Length Required
HTTP/1.1 414 URI Too Long
HTTP/1.1 431 Request Header Fields Too Large
HTTP/1.1 505 HTTP Version Not Supported" ]
http_raw 'DELETE /4k.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' >"$dir/405"
check "405 carries Allow" grep -q '^Allow: GET, HEAD' "$dir/405"
check "the server still serves after the errors" \
	[ "$(get /4k.txt -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ]
http_raw 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /no-such HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
	>"$dir/pipe"
check "pipelining: two requests written at once get two replies in order" \
	[ "$(grep -a -o 'HTTP/1.1 [0-9]*' "$dir/pipe" | tr '\n' ' ')" = "HTTP/1.1 200 HTTP/1.1 404 " ]

# shell_number LINE WORD: type LINE at the shell, where it ends in WORD
# followed by " .", and print the number the shell prints after it (10 s
# at most; nothing if none came). Only what the console printed after
# LINE was typed counts, so the same line may be typed again.
shell_number() {
	from=$(($(wc -l <"$LOG") + 1))
	printf '%s\r' "$1" >&3
	for _ in $(seq 100); do
		num=$(tail -n +"$from" "$LOG" | tr -d '\r' | grep -A1 "$2 \\." | grep -E '^[0-9]+ ?$' | head -n 1 | tr -d ' ')
		[ -n "$num" ] && break
		sleep 0.1
	done
	echo "$num"
}
# quiet: wait (30 s at most) until httpd has no connection but the /stats
# request's own and no connection thread but its own.
quiet() {
	for _ in $(seq 30); do
		get /stats >"$dir/stats" 2>/dev/null
		grep -q '^connections open: 1$' "$dir/stats" && grep -q '^threads alive: 1$' "$dir/stats" && return 0
		sleep 1
	done
	return 1
}
# stack_usage: lwIP's heap bytes and pool elements in use (the Ping door).
stack_usage() {
	echo "$(shell_number 'ping.heap_used .' 'ping\.heap_used') $(shell_number 'ping.pool_used .' 'ping\.pool_used')"
}

quiet
before=$(stack_usage)

# Clients that vanish: half a request, or a 64 KiB answer read in part.
# (wait names the clients: QEMU is a child too.)
vanish_round() {
	pids=
	for i in $(seq 200); do
		timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
			printf "GET /4k.txt HTTP/1.1\r\nHo" >&3' 2>/dev/null &
		pids="$pids $!"
		timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
			printf "GET /64k.bin HTTP/1.1\r\nHost: x\r\n\r\n" >&3
			head -c 1000 <&3 >/dev/null' 2>/dev/null &
		pids="$pids $!"
		if [ $((i % 20)) = 0 ]; then
			# shellcheck disable=SC2086
			wait $pids
			pids=
		fi
	done
}
rounds_ok=0
for round in 1 2 3; do
	vanish_round
	[ "$(get /4k.txt -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ] && rounds_ok=$((rounds_ok + 1))
done
check "three rounds of 400 vanishing clients (1,200 sockets), each followed by a served request" \
	[ "$rounds_ok" = 3 ]
# The connection threads of the vanished clients end within httpd's idle
# time (10 s); only the /stats request itself is left.
quiet
check "after they vanish /stats shows no connection and no thread left behind" \
	grep -q '^threads alive: 1$' "$dir/stats"
check "... and no connection open but its own" grep -q '^connections open: 1$' "$dir/stats"
# And the stack's allocations are back where they were before the rounds
# (a closing connection may take a moment to free its last segments).
for _ in $(seq 20); do
	after=$(stack_usage)
	[ "$after" = "$before" ] && break
	sleep 1
done
check "... and lwIP's heap bytes and pool elements in use are back (before: ${before:-none}, after: ${after:-none})" \
	sh -c '[ -n "$0" ] && [ "$0" = "$1" ] && [ "${0% *}" != "$0" ]' "$before" "$after"

timeout 60 wrk -t2 -c100 -d10s --timeout 10s "$url/4k.txt" >"$dir/wrk" 2>&1
cat "$dir/wrk" | sed 's/^/# /'
check "wrk, 100 connections for 10 s: requests served" grep -q '^Requests/sec:' "$dir/wrk"
check "wrk: no socket error and no status other than 2xx" \
	sh -c '! grep -q "Socket errors\|Non-2xx" "$0"' "$dir/wrk"
# Ping from the shell: the Ping door's echo, called by name, prints the
# round trip in nanoseconds (0 would mean no reply).
rtt=$(shell_number '0x0a000202 2000 ping.echo .' 'ping\.echo')
check "ping from the shell: 0x0a000202 2000 ping.echo . gets a reply (${rtt:-none} ns)" \
	[ "${rtt:-0}" -gt 0 ]
# The Net door's sockets: only httpd's listener is left (every client is
# gone, and wrk's connections were closed by now).
sockets=$(shell_number 'ping.sockets .' 'ping\.sockets')
check "no socket left behind in the stack: ping.sockets . says ${sockets:-nothing} (the listener)" \
	[ "${sockets:-x}" = 1 ]
exec 3>&-
kill "$QEMU_PID" 2>/dev/null
wait "$QEMU_PID" 2>/dev/null
QEMU_PID=

boot_until '^net: 
^httpd: 
init: [0-9]+ started' 120 --smp 2 --mem 512M --initrd build/archive.cpio
check "no network card: net says there is no Ethernet door and ends" \
	log_has '^net: no Ethernet door on this system; no network, net ends'
check "no network card: httpd says there is no Net door and ends" \
	log_has '^httpd: no Net door on this system; nothing to serve'
check "no network card: init starts everything else" log_has 'init: 7 started, 0 failed'
