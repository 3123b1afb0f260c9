#!/bin/bash
# Linux programs on the network (docs/linux.md, "Sockets"): QEMU boots with
# a virtio network card on its user network, programs/net (lwIP) publishes
# the Net door, and three Linux processes use it through the personality's
# socket calls, each door call made by a gate thread on a trusted hart:
#   - tests/linux/lx-net against tests/net-echo.py's servers on the host's
#     127.0.0.1 (10.0.2.2 from the guest): TCP and UDP both ways, the
#     names, poll, MSG_PEEK, O_NONBLOCK, SO_RCVTIMEO, sendmsg/recvmsg, bad
#     pointers, shutdown, ECONNREFUSED, ENOTSOCK, a listener; one TAP line
#     per check;
#   - Debian's busybox `wget` fetching a file from a Python HTTP server on
#     the host: the same bytes;
#   - busybox `sh -c 'echo ... | nc 10.0.2.2 ECHO'`: nc polls a pipe and a
#     socket, and prints the echo;
#   - tests/linux/lx-fuzz: 60 children making 300 random calls each on
#     descriptors and sockets, killed after 300 ms if one blocks;
#   - Debian's busybox `httpd` serving the boot archive's /www on the
#     guest's port 80, forwarded from a free port of the host's 127.0.0.1:
#     curl gets the files byte for byte, a 404, then 20 requests one after
#     another and 8 at once (httpd forks a process per connection); then
#     the shell's `ping.sockets .` says only httpd's listener is left.
# Nothing leaves this machine; every step is bounded in time.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

CHECKS=39 # lx-net's checks
TESTS=$((CHECKS + 12))
echo "1..$TESTS"
busybox=$(command -v busybox)
if [ -z "$busybox" ] || ! file -L "$busybox" | grep -q 'statically linked' ||
	! command -v curl >/dev/null; then
	for i in $(seq $TESTS); do echo "ok $i # skip no static busybox or no curl"; done
	exit 0
fi

dir=$(mktemp -d)
SERVERS_PID=
WEB_PID=
trap 'exec 3>&- 2>/dev/null; [ -n "${KEEP_LOG:-}" ] && cp "$LOG" "$KEEP_LOG"; rm -f "$LOG"; for p in "${QEMU_PID:-}" "$SERVERS_PID" "$WEB_PID"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; rm -rf "$dir"; true' EXIT

# Two free ports of 127.0.0.1 (tests/lib.sh).
port=$(free_port)
web_port=$(free_port "$port")

timeout 200 python3 tests/net-echo.py 190 >"$dir/ports" &
SERVERS_PID=$!
mkdir "$dir/web"
head -c 20000 /dev/urandom | base64 >"$dir/web/page.txt"
timeout 200 python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$dir/web" \
	>/dev/null 2>&1 &
WEB_PID=$!
for _ in $(seq 50); do [ -s "$dir/ports" ] && break; sleep 0.1; done
read -r echo_port udp_port refused_port _ <"$dir/ports"

cp -r build/archive "$dir/a"
cp "$busybox" "$dir/a/bin/busybox"
{
	echo /bin/virtio-net
	echo /bin/net
	echo "linux /bin/lx-net $echo_port $udp_port $refused_port"
	echo "linux /bin/busybox wget -q -O /tmp/page.txt http://10.0.2.2:$web_port/page.txt"
	echo "linux /bin/busybox md5sum /tmp/page.txt"
	echo "linux /bin/busybox sh -c 'echo hello through nc | /bin/busybox nc 10.0.2.2 $echo_port'"
	echo "linux /bin/lx-fuzz 60 300"
	echo "linux /bin/busybox httpd -f -p 80 -h /www"
} >"$dir/a/etc/programs.lxnet"
(cd "$dir/a" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet >../lxnet.cpio)

# The console is the shell's too: its input comes from a FIFO (fd 3), to
# ask the Net door's socket count at the end.
mkfifo "$dir/console"
tools/qemu-run --smp 2 --mem 512M --initrd "$dir/lxnet.cpio" \
	--append "untrusted=1 programs=/etc/programs.lxnet" -- \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=n0 \
	-monitor none <"$dir/console" >"$LOG" 2>&1 &
QEMU_PID=$!
exec 3>"$dir/console"
for _ in $(seq 1800); do # 180 s at most
	log_has '^init: linux line 8: /bin/busybox httpd' && break
	kill -0 "$QEMU_PID" 2>/dev/null || break
	sleep 0.1
done
sleep 0.2 # let the console catch up

# What init's linux line N printed, between its two lines.
segment_of() {
	tr -d '\r' <"$LOG" | awk -v n="$1" '$0 ~ "^init: linux line " n ": exit status " { exit }
		on { print } $0 ~ "^init: linux line " n ": " { on = 1 }'
}

# Every line lx-net printed, in order, as TAP.
program_checks lx-net "$CHECKS"
lx_net_ok() { log_has "^lx-net: $CHECKS checks, 0 failed" && log_has '^init: linux line 3: exit status 0'; }
check "lx-net: $CHECKS checks, 0 failed, and it exits 0" lx_net_ok
sum=$(md5sum <"$dir/web/page.txt" | cut -d' ' -f1)
check "busybox wget fetched the host's file and exited 0" log_has '^init: linux line 4: exit status 0'
check "the bytes wget wrote to /tmp are the host's (md5sum)" log_has "^$sum  /tmp/page.txt"
nc_ok() { segment_of 6 | grep -qx 'hello through nc' && log_has '^init: linux line 6: exit status 0'; }
check "busybox sh: echo | nc to the host's echo server gets the line back (poll on a pipe and a socket)" nc_ok
fuzz_ok() { log_has '^lx-fuzz: 60 rounds, [0-9]+ calls made in the rounds that ended, [0-9]+ ended, [0-9]+ killed, 0 faulted' && log_has '^init: linux line 7: exit status 0'; }
check "lx-fuzz: 60 rounds of 300 random calls on descriptors and sockets, each child ended or killed, none faulted" fuzz_ok

# busybox httpd: wait until it answers (it starts after init's line).
url=http://127.0.0.1:$port
for _ in $(seq 300); do
	curl -sf -m 5 -o /dev/null "$url/index.html" && break
	kill -0 "$QEMU_PID" 2>/dev/null || break
	sleep 0.2
done
www=build/archive/www
check "busybox httpd serves a 4 KiB file, byte for byte" \
	sh -c "curl -sf -m 20 '$url/4k.txt' | cmp -s - '$www/4k.txt'"
check "and a 64 KiB one" sh -c "curl -sf -m 30 '$url/64k.bin' | cmp -s - '$www/64k.bin'"
check "a missing file is 404" \
	sh -c "[ \"\$(curl -s -m 20 -o /dev/null -w '%{http_code}' '$url/no-such-file')\" = 404 ]"
twenty() {
	for i in $(seq 20); do
		curl -sf -m 20 "$url/4k.txt" | cmp -s - "$www/4k.txt" || return 1
	done
}
check "20 requests one after another, each a forked httpd" twenty
eight() {
	local pids=() ok=0
	for i in $(seq 8); do
		curl -sf -m 60 -o "$dir/par.$i" "$url/4k.txt" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || ok=1; done
	for i in $(seq 8); do cmp -s "$dir/par.$i" "$www/4k.txt" || ok=1; done
	return $ok
}
check "8 requests at once" eight

# The Net door's sockets: only httpd's listener is left (lx-net's, wget's,
# the fuzzer's and every connection of curl's are closed; 10 s for the
# last of those to go). The shell prints the number after the line.
sockets_left() {
	for _ in $(seq 10); do
		from=$(($(wc -l <"$LOG") + 1))
		printf 'ping.sockets .\r' >&3
		for _ in $(seq 50); do
			num=$(tail -n +"$from" "$LOG" | tr -d '\r' | grep -A1 'ping\.sockets \.' |
				grep -E '^[0-9]+ ?$' | head -n 1 | tr -d ' ')
			[ -n "$num" ] && break
			sleep 0.1
		done
		[ "$num" = 1 ] && return 0
		sleep 1
	done
	echo "# ping.sockets . says ${num:-nothing}" >&2
	return 1
}
check "no socket left behind in the stack: ping.sockets . says 1 (httpd's listener)" sockets_left
check "no process was killed by a fault, nothing panicked" \
	sh -c '! tr -d "\r" <"$0" | grep -Eq "panic|\*\*\* |killed by SIG(SEGV|ILL|FPE|BUS)"' "$LOG"
