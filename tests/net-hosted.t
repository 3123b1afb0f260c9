#!/bin/bash
# httpd end to end on the hosted runtime: lemmings-hosted runs httpd with
# port 0 and short timeouts, the port is read from httpd's first line, and
# curl and bash's /dev/tcp (127.0.0.1 only) check files against their
# sources, HEAD, 404, every malformed request's status (with the server
# serving on after each), keep-alive, pipelining, /stats and that a client
# stalling mid-request is dropped while others are served; then 10,000
# concurrent connections on a second server with long timeouts
# (tools/netload checks every answer), and clients that vanish mid-request
# or mid-answer, after which /stats shows no connection and no thread left
# behind, and a second round of them leaves the server's resident memory
# where the first left it. Last, programs/nettest, the client binary
# tests/net-kernel-client.t runs on the kernel, against tests/net-echo.py's
# servers (connect, refused and timed out, shutdown, UDP). Every step is bounded by timeout(1); the
# servers are killed on exit.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

IDLE_MS=1500 # httpd's idle and head timeouts for this test
dir=$(mktemp -d)
SERVER_PID=
CROWD_PID=
ECHO_PID=
trap 'rm -f "$LOG"; for p in $SERVER_PID $CROWD_PID $ECHO_PID; do kill "$p" 2>/dev/null; done; rm -rf "$dir"; true' EXIT

echo 1..35
command -v curl >/dev/null || { for i in $(seq 35); do echo "ok $i # skip no curl"; done; exit 0; }

# start_server NAME ARGS: lemmings-hosted running `/bin/httpd 0 /www ARGS`
# from a program list of its own, logging to $dir/NAME.log; sets
# server_pid and port (the one httpd's first line names; empty if none).
cp -r build/archive "$dir/a"
start_server() {
	echo "/bin/httpd 0 /www $2" >"$dir/a/etc/programs.$1"
	timeout 120 build/lemmings-hosted --harts 1 --programs "/etc/programs.$1" "$dir/a" \
		>"$dir/$1.log" 2>&1 &
	server_pid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^httpd: listening on 0\.0\.0\.0:\([0-9][0-9]*\), serving \/www$/\1/p' "$dir/$1.log")
		[ -n "$port" ] && break
		sleep 0.1
	done
}

# The server most checks use, with this test's short timeouts.
start_server httpd-test "$IDLE_MS $IDLE_MS"
SERVER_PID=$server_pid
check "httpd says where it listens" [ -n "$port" ]
url=http://127.0.0.1:$port
www=build/archive/www

# get PATH [curl options...]: the body on standard output.
get() {
	p=$1
	shift
	timeout 10 curl -sS --max-time 8 "$@" "$url$p"
}

has() { # has FILE PATTERN...
	f=$1
	shift
	for p; do grep -aq -- "$p" "$f" || return 1; done
}

in_range() { # in_range VALUE LOW HIGH
	[ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]
}


get /64k.bin >"$dir/64k" 2>/dev/null
check "a 64 KiB file comes back byte for byte" cmp -s "$dir/64k" "$www/64k.bin"
get /4k.txt >"$dir/4k" 2>/dev/null
check "a 4 KiB file comes back byte for byte" cmp -s "$dir/4k" "$www/4k.txt"
get / >"$dir/index" 2>/dev/null
check "/ is the root's index.html" cmp -s "$dir/index" "$www/index.html"

get /4k.txt -I >"$dir/head" 2>/dev/null
check "HEAD gives 200 and the file's length" \
	grep -q "^Content-Length: $(wc -c <"$www/4k.txt")" "$dir/head"
check "HEAD gives the type from the extension" grep -q '^Content-Type: text/plain' "$dir/head"
check "HEAD sends no body" [ "$(http_raw 'HEAD /64k.bin HTTP/1.0\r\n\r\n' | wc -c)" -lt 300 ]

check "a missing file is 404" \
	[ "$(get /no-such-file -o /dev/null -w '%{http_code}' 2>/dev/null)" = 404 ]
check "a folder without its slash is 404" \
	[ "$(get /empty-folder -o /dev/null -w '%{http_code}' 2>/dev/null)" = 404 ]
check "a folder without index.html is 403" \
	[ "$(get /empty-folder/ -o /dev/null -w '%{http_code}' 2>/dev/null)" = 403 ]
check "a .. segment is 400" \
	[ "$(http_status 'GET /a/../4k.txt HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]

check "a malformed request line is 400" \
	[ "$(http_status 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
check "an unknown method is 501" \
	[ "$(http_status 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 501 Not Implemented" ]
http_raw 'DELETE /4k.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' >"$dir/405"
check "a known method not served is 405 with Allow" \
	grep -q '^Allow: GET, HEAD' "$dir/405"
check "a POST without a length is 411" \
	[ "$(http_status 'POST /f HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 411 Length Required" ]
long=$(printf '%02100d' 0)
check "a request line too long is 414" \
	[ "$(http_status "GET /$long HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")" = "HTTP/1.1 414 URI Too Long" ]
check "headers too big are 431" \
	[ "$(http_status "GET / HTTP/1.1\\r\\nHost: x\\r\\nCookie: $long\\r\\n\\r\\n")" = \
	  "HTTP/1.1 431 Request Header Fields Too Large" ]
check "an unsupported version is 505" \
	[ "$(http_status 'GET / HTTP/2.0\r\n\r\n')" = "HTTP/1.1 505 HTTP Version Not Supported" ]
check "the server still serves after the errors" \
	[ "$(get /4k.txt -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ]

# Keep-alive: curl reuses the connection for a second URL.
conns=$(timeout 10 curl -sS --max-time 8 -o /dev/null -o /dev/null -w '%{num_connects}\n' \
	"$url/4k.txt" "$url/index.html" 2>/dev/null | tr '\n' ' ')
check "keep-alive: two requests on one connection (connects: $conns)" [ "$conns" = "1 0 " ]
http_raw 'GET /4k.txt HTTP/1.0\r\n\r\n' >"$dir/http10"
check "HTTP/1.0 closes by default" has "$dir/http10" '^Connection: close'

# Pipelining: two requests in one write, two replies in order.
http_raw 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /no-such HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' \
	>"$dir/pipe"
check "pipelining: two requests written at once get two replies in order" \
	[ "$(grep -a -o 'HTTP/1.1 [0-9]*' "$dir/pipe" | tr '\n' ' ')" = "HTTP/1.1 200 HTTP/1.1 404 " ]

# Slowloris: half a request, then silence. It is dropped after the head
# timeout (IDLE_MS), with 408, while another client is served meanwhile.
start=$(date +%s%N)
timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
	printf "GET /4k.txt HTTP/1.1\r\nHost: x\r\n" >&3
	cat <&3' >"$dir/slow" &
slow=$!
sleep 0.3
check "while a client stalls, another is served" \
	[ "$(get /4k.txt -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ]
wait "$slow"
slow_status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "a stalled client is dropped after the timeout ($ms ms, status $slow_status)" \
	in_range "$ms" $((IDLE_MS - 100)) 8000
check "the stalled client's connection ended by itself" [ "$slow_status" -eq 0 ]
check "the stalled client gets 408" grep -q '^HTTP/1.1 408' "$dir/slow"

# A connection that never sends anything is dropped after the idle timeout.
start=$(date +%s%N)
timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1; cat <&3' >/dev/null
idle_status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "an idle connection is closed after the idle timeout ($ms ms, status $idle_status)" \
	in_range "$((ms + idle_status * 100000))" $((IDLE_MS - 100)) 8000

# Ten thousand connections at once, each with its thread: every one gets
# its answer (tools/netload checks each reply's status and length). They
# go to a second server whose timeouts are long: on a loaded machine
# netload may take longer than IDLE_MS to get round to a connection it
# opened, and the short-timeout server would rightly drop it.
main_port=$port
start_server httpd-crowd "60000 60000"
CROWD_PID=$server_pid
timeout 120 build/tools/netload --connections 10000 --requests-per-conn 2 --length 4096 \
	--timeout 90 127.0.0.1 "$port" /4k.txt >"$dir/crowd" 2>&1
crowd_status=$?
check "10,000 concurrent connections each get their answers (status $crowd_status)" \
	[ -n "$port" ] && [ "$crowd_status" -eq 0 ]
kill "$CROWD_PID" 2>/dev/null
wait "$CROWD_PID" 2>/dev/null # the crowd's server only
CROWD_PID=
ECHO_PID=
port=$main_port
sed 's/^/# /' "$dir/crowd"

# Clients that vanish mid-request (half a head, then their end closes),
# and while their answer is on the way: each connection's thread sees the
# end and goes, leaving nothing. Waits until /stats shows only the asker.
vanish() {
	clients=
	for i in $(seq 50); do
		timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
			printf "GET /64k.bin HTTP/1.1\r\nHo" >&3' 2>/dev/null &
		clients="$clients $!"
	done
	for i in $(seq 20); do
		timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
			printf "GET /64k.bin HTTP/1.1\r\nHost: x\r\n\r\n" >&3
			head -c 100 <&3 >/dev/null' 2>/dev/null &
		clients="$clients $!"
	done
	wait $clients # not the server's
	left=
	for _ in $(seq 50); do
		get /stats >"$dir/stats" 2>/dev/null
		left=$(tr '\n' ' ' <"$dir/stats")
		has "$dir/stats" '^connections open: 1$' '^threads alive: 1$' && break
		sleep 0.1
	done
}

# Resident memory of lemmings-hosted (the child of timeout), in KiB.
server_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$(pgrep -P "$SERVER_PID" | head -1)/status" 2>/dev/null
}

vanish
check "vanished clients leave no connection and no thread behind ($left)" \
	has "$dir/stats" '^connections open: 1$' '^threads alive: 1$'
rss1=$(server_rss)
# Once more: what the first round freed is reused, and nothing more is
# kept (a thread left behind per client would be 70 pages, 280 KiB).
vanish
rss2=$(server_rss)
grew_little() { [ -n "$rss1" ] && [ -n "$rss2" ] && [ $((rss2 - rss1)) -lt 128 ]; }
check "a second round leaves no memory behind (resident $rss1 KiB, then $rss2 KiB)" grew_little
check "and the server serves on" [ "$(get /4k.txt -o /dev/null -w '%{http_code}' 2>/dev/null)" = 200 ]

sleep 0.3 # let the threads of the closed connections see their ends
get /stats >"$dir/stats" 2>/dev/null
check "/stats counts requests and connections" \
	has "$dir/stats" '^requests: [1-9]' '^connections served: [1-9]'
check "/stats: only the connection asking is open, its thread the only one alive" \
	has "$dir/stats" '^connections open: 1$' '^threads alive: 1$'
sed 's/^/# /' "$dir/stats"
check "httpd is still running" kill -0 "$SERVER_PID"

# The Net door's client routines: the same nettest binary as on the
# kernel (tests/net-kernel-client.t), against the same servers, here at
# 127.0.0.1.
timeout 60 python3 tests/net-echo.py 50 >"$dir/ports" &
ECHO_PID=$!
for _ in $(seq 50); do [ -s "$dir/ports" ] && break; sleep 0.1; done
read -r echo_port udp_port refused_port full_port <"$dir/ports"
echo "/bin/nettest 127.0.0.1 $echo_port $udp_port $refused_port $full_port" >"$dir/a/etc/programs.nettest"
timeout 60 build/lemmings-hosted --harts 2 --programs /etc/programs.nettest "$dir/a" >"$dir/nettest.log" 2>&1
grep '^nettest: ' "$dir/nettest.log" | sed 's/^/# /'
check "nettest, the kernel's client binary: $(grep -c '^nettest: ok' "$dir/nettest.log") checks ok hosted, none failed" \
	grep -q '^nettest: 26 checks, 0 failed$' "$dir/nettest.log"
kill "$ECHO_PID" 2>/dev/null
