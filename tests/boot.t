#!/bin/sh
# End to end: the kernel boots in QEMU, prints its banner, the memory map and
# the command line, and warns about unknown or malformed options. Waits are
# liveness bounds (two minutes for what takes a second); how long a boot
# takes is BENCH kernel.boot_to_banner, from bench/kernel-bench.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo 1..16

boot_until 'system is idle' 120 --smp 1 --mem 256M --append 'bogus=1 =bad help'
check "kernel boots to the idle loop" log_has 'system is idle'
check "banner printed" log_has '^Lemmings [0-9.]+ \(x86-64\)'
check "memory map printed" log_has '0000000000100000-.*available'
check "command line echoed" log_has 'command line: "bogus=1 =bad help"'
check "unknown option warned about" log_has "unknown option 'bogus' ignored"
check "malformed option warned about" log_has 'ignoring malformed option at column 9'
check "the TSC is calibrated against the HPET the ACPI tables list" \
	log_has 'time: TSC at [0-9]+ MHz \(calibrated against the HPET\)'
check "the ACPI RSDP is found in the BIOS area (Multiboot 1 gives no copy)" \
	log_has 'acpi: RSDP at 0x[0-9a-f]+ \(BIOS area\)'

esc=$(printf '\033')
boot_until 'system is idle' 120 --smp 1 --mem 256M --append "x${esc}[2J=1 sched=0${esc}"
check "control bytes in the command line are shown escaped" \
	log_has 'command line: "x\\x1b\[2J=1 sched=0\\x1b"'
# (SeaBIOS clears the screen with escape sequences of its own before the
# kernel starts: look from the banner on.)
no_raw_escape() { ! sed -n '/^Lemmings/,$p' "$LOG" | grep -q "$esc"; }
check "and never reach the console raw" no_raw_escape

long=$(printf 'a%.0s' $(seq 130))
boot_until 'ktest: no test matches
^1\.\.0' 120 --smp 1 --mem 256M --append "test=$long,-x"
check "a test= glob too long to match is named, not ignored" \
	log_has "ktest: the glob 'a{32}\.\.\.' is 130 characters long, more than 127: it selects nothing"
check "a selection that matches nothing says so, with a hint" \
	log_has 'ktest: no test matches test=a{64}\.\.\. \([0-9]+ tests are built in; names are suite.name'
boot_until 'ktest: no test matches' 120 --smp 1 --mem 256M --append 'test=nomatch'
check "test=nomatch says no test matches it" log_has 'ktest: no test matches test=nomatch '

boot_until '^Lemmings' 120 --smp 4 --mem 2G
echo "# banner after ${BOOT_MS} ms (QEMU start included)"
check "boots to its banner with make run's defaults (four harts, 2 GiB)" log_has '^Lemmings [0-9.]+ \(x86-64\)'

# make run's devices (the Makefile's RUN_DEVICES, on a disk of our own):
# both drivers come up and publish their doors.
disk=$(mktemp)
truncate -s 16M "$disk"
# (HTTP_PORT=0: the forwarded port is any free one, not make run's 8080.)
QEMU_EXTRA=$(make -s --no-print-directory run-devices DISK="$disk" HTTP_PORT=0)
boot_until '^virtio-net: .*Ethernet door published
^virtio-blk: .*Block door published' 120 --smp 4 --mem 2G --initrd build/archive.cpio
QEMU_EXTRA=
rm -f "$disk"
check "with make run's devices the virtio-net driver publishes the Ethernet door" \
	log_has '^virtio-net: function [0-9]+, 52:54:00:12:34:56, mtu 1500, .*Ethernet door published'
check "and the virtio-blk driver publishes the Block door" \
	log_has '^virtio-blk: .*32768 sectors.*Block door published'
