#!/bin/bash
# The Net door's client routines on bare Lemmings, those httpd does not
# use: programs/nettest boots with virtio-net and programs/net on QEMU's
# user network and calls connect (to an echo server, to a port nobody
# listens on, and with a timeout to a listener that never answers), send,
# recv, shutdown of either side, close, local, udp_bind, sendto and
# recvfrom (one that times out, one echoed) against tests/net-echo.py's
# servers on the host's 127.0.0.1, which the guest reaches as 10.0.2.2.
# tests/net-hosted.t runs the same binary against the same servers hosted.
# Each nettest check is one TAP line here. The boot also has
# bench=bench.swap, as bench/net-kernel's: the kernel's swap benchmark runs
# before init, which then starts the programs as usual. Bounded: the servers end after
# 150 s, the boot waits 120 s at most.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

dir=$(mktemp -d)
SERVERS_PID=
trap 'rm -f "$LOG"; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; [ -n "$SERVERS_PID" ] && kill "$SERVERS_PID" 2>/dev/null; rm -rf "$dir"; true' EXIT

CHECKS=26 # nettest's checks
echo 1..$((CHECKS + 3))

timeout 150 python3 tests/net-echo.py 140 >"$dir/ports" &
SERVERS_PID=$!
for _ in $(seq 50); do [ -s "$dir/ports" ] && break; sleep 0.1; done
read -r echo_port udp_port refused_port full_port <"$dir/ports"

cp -r build/archive "$dir/a"
{
	echo /bin/virtio-net
	echo "/bin/net then /bin/nettest 10.0.2.2 $echo_port $udp_port $refused_port $full_port"
} >"$dir/a/etc/programs.nettest"
(cd "$dir/a" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet >../nettest.cpio)

QEMU_EXTRA="-netdev user,id=n0 -device virtio-net-pci,netdev=n0" \
	boot_until '^nettest: [0-9]+ checks' 120 --smp 2 --mem 512M --initrd "$dir/nettest.cpio" \
	--append "bench=bench.swap programs=/etc/programs.nettest"
check "net takes a lease and starts nettest" log_has '^net: DHCP lease 10\.0\.2\.15'
# bench= (kernel/ktest.h), as bench/net-kernel boots: the kernel's swap
# benchmark runs first, and then the boot goes on to init.
swap_then_init() {
	tr -d '\r' <"$LOG" | awk '/^BENCH kernel\.swap_round_trip\.cycles [0-9]/ { swap = NR }
		/^init: starting the programs/ { init = NR }
		END { exit !(swap && init > swap) }'
}
check "bench=bench.swap: the swap's BENCH line, then init starts the programs" swap_then_init
# Every line nettest printed, in order, as TAP.
program_checks nettest $((CHECKS + 2))
check "nettest: $CHECKS checks, 0 failed" log_has "^nettest: $CHECKS checks, 0 failed"
