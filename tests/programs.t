#!/bin/sh
# End to end on the kernel in QEMU: programs from the boot archive (the
# checks are in tests/programs.sh).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/programs.sh

run_system() {
	pattern=$1 secs=$2 archive=$3
	shift 3
	boot_until "$pattern" "$secs" --smp 2 --mem 512M --initrd "$archive" --append "$*"
}

echo 1..$PROGRAM_CHECKS
program_checks
