#!/bin/sh
# End to end on the kernel in QEMU: programs from the boot archive (the
# checks are in tests/programs.sh), and httpd, which finds no Net door on
# the kernel yet and must say so and end.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/programs.sh

run_system() {
	pattern=$1 secs=$2 archive=$3
	shift 3
	boot_until "$pattern" "$secs" --smp 2 --mem 512M --initrd "$archive" --append "$*"
}

echo 1..$((PROGRAM_CHECKS + 1))
program_checks
run_system '^httpd: ' 120 build/archive.cpio programs=/etc/programs.httpd
check "httpd finds no Net door on the kernel and says so" \
	log_has '^httpd: no Net door on this system; nothing to serve'
