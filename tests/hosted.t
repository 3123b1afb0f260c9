#!/bin/sh
# End to end on the hosted runtime: the same programs, unchanged, in a Linux
# process (the checks are in tests/programs.sh), plus a folder as archive.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/programs.sh

# Boot options become lemmings-hosted's flags.
run_system() {
	pattern=$1 secs=$2 archive=$3
	shift 3
	flags=
	for opt; do
		case "$opt" in
		init=*) flags="$flags --init ${opt#init=}" ;;
		programs=*) flags="$flags --programs ${opt#programs=}" ;;
		esac
	done
	timeout "$secs" build/lemmings-hosted --harts 2 $flags "$archive" >"$LOG" 2>&1
}

echo 1..$((PROGRAM_CHECKS + 2))
program_checks
run_system 'init: [0-9]+ started' 120 build/archive
status=$?
check "a folder serves as the archive" log_has 'init: 4 started, 0 failed'
check "the process ends by itself when its threads have (status 0, no timeout)" [ "$status" -eq 0 ]
