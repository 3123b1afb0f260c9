#!/bin/sh
# End to end on the hosted runtime: the same programs, unchanged, in a Linux
# process (the checks are in tests/programs.sh), plus a folder as archive, a
# program list line too long for its start page, and a folder with a
# symbolic link to its parent.
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

echo 1..$((PROGRAM_CHECKS + 5))
program_checks
run_system 'init: [0-9]+ started' 120 build/archive
status=$?
check "a folder serves as the archive" log_has 'init: 7 started, 0 failed'
check "the process ends by itself when its threads have (status 0, no timeout)" [ "$status" -eq 0 ]

# A line of 60 arguments: init reports them as too long and goes on. From a
# cpio file, not a folder: packing a folder calls free before any thread
# runs, and so, in a lazily bound binary, would hide the first call of free
# made on init's one-page stack, on this error path.
dir=$(mktemp -d)
cp -r build/archive "$dir/a"
{
	echo "/bin/hello $(seq -s ' ' 1 60)"
	echo "/bin/hello after-the-long-line"
} >"$dir/a/etc/programs.long"
(cd "$dir/a" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet >../long.cpio)
run_system 'init: [0-9]+ started' 30 "$dir/long.cpio" programs=/etc/programs.long
check "a line of 60 arguments is refused as too long" \
	log_has 'programs.long:1: cannot start /bin/hello: arguments too long'
check "the line after it still starts" log_has 'argv\[1\] = after-the-long-line'

# A link to the folder's parent is stored as a link, not followed (which
# would pack the folder into itself until the nesting limit).
ln -s .. "$dir/a/etc/up"
run_system 'init: [0-9]+ started' 30 "$dir/a"
check "a folder with a link to its parent serves as the archive" \
	log_has 'init: 7 started, 0 failed'
rm -rf "$dir"
