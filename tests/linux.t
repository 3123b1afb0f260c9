#!/bin/sh
# Linux programs on Lemmings (docs/linux.md): one boot, four harts, hart 3
# set apart for untrusted processes, init running /etc/programs.linux
# (tests/linux/list.sh): the trusted kvstore/kvclient pair; the tiny static
# Linux programs of tests/linux (the initial stack at a fixed address and
# as a static PIE, unknown calls, bad pointers, a fault, files and memory;
# a glibc static PIE; mknod of what cannot be made);
# then Debian's busybox-static (/bin/busybox, installed by tools/deps),
# one applet per line of tests/linux/commands, each waited for by init and
# its output delimited. Each busybox output and exit status is compared
# with the same command run by the same busybox on this machine, in a
# folder holding a copy of the same input files, in the same environment.
# What must differ is normalized, narrowly, per command: `date`'s current
# time, `ls -l`'s owner, group and times, and `find`'s order (directory
# order is the file system's).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

if [ ! -x /bin/busybox ] || readelf -lW /bin/busybox | grep -q INTERP; then
	echo "1..0 # SKIP no static /bin/busybox (tools/deps installs busybox-static)"
	exit 0
fi
commands=$(grep -v '^#' tests/linux/commands | grep -v '^$')
count=$(printf '%s\n' "$commands" | wc -l)
first=$(( $(tests/linux/list.sh tests/linux/commands | grep -c '') - count + 1 ))
echo "1..$((19 + count))"

boot_until 'init: [0-9]+ started, [0-9]+ failed
kvclient: 1000 puts and gets' 1200 --smp 4 --mem 1G --initrd build/archive.cpio \
	--append "untrusted=3 programs=/etc/programs.linux"
CLEAN=$(mktemp)
HOST=$(mktemp -d)
trap 'rm -rf "$LOG" "$CLEAN" "$HOST"; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; true' EXIT
tr -d '\r' < "$LOG" > "$CLEAN"

# segment N: what ran between init's two lines for list line N, less the
# kernel's lines about the process (its exit; ENOSYS for rseq, which glibc
# tries first), then "exit status S".
segment() {
	awk -v n="$1" '
		$0 ~ "^init: linux line " n ": exit status " { sub("^init: linux line " n ": ", ""); print; exit }
		on { print }
		$0 ~ "^init: linux line " n ": " { on = 1 }' "$CLEAN" |
	sed -E "s/untrusted process [0-9]+ '[^']*': exited with status [0-9]+\$//" |
	grep -Ev "^linux process [0-9]+ '[^']*': unknown system call 334 \(rseq\): ENOSYS\$" |
	grep -Ev '^(kvstore|kvclient|BENCH) ' | sed '/^$/d'
}

# seg_count N PATTERN COUNT: segment N has COUNT lines matching PATTERN;
# seg_has N PATTERN: at least one; exited N STATUS.
seg_count() { [ "$(segment "$1" | grep -Ec "$2")" = "$3" ]; }
seg_has() { segment "$1" | grep -Eq "$2"; }
exited() { seg_has "$1" "^exit status $2\$"; }
log_count() { [ "$(grep -Ec "$1" "$CLEAN")" = "$2" ]; }
stack_ok() {
	seg_count "$1" '^lx-auxv: ok ' 12 && ! seg_has "$1" FAILED && exited "$1" 0 &&
	seg_has "$1" '^lx-auxv: argv\[2\] = two words$'
}
unknown_ok() { seg_has 6 '^lx-unknown: 999 -> -38, again -> -38, 1000 -> -38$' && exited 6 0; }
unknown_logged() {
	log_count "^linux process [0-9]+ 'lx-unknown': unknown system call 999 \(no name known\): ENOSYS\$" 1 &&
	log_count "^linux process [0-9]+ 'lx-unknown': unknown system call 1000 \(no name known\): ENOSYS\$" 1
}
badptr_ok() { seg_count 7 '^lx-badptr: EFAULT ' 8 && exited 7 0; }
files_ok() { seg_count 9 '^lx-files: ok ' 27 && ! seg_has 9 FAILED && exited 9 0; }
fifo_ok() { seg_count 12 '^lx-fifo: ok ' 5 && ! seg_has 12 FAILED && exited 12 0; }
only_rseq() { ! grep -E "^linux process [0-9]+ 'busybox': unknown system call" "$CLEAN" | grep -qv '(rseq)'; }
all_ended() { log_count '^init: linux line [0-9]+: exit status' "$(grep -Ec '^init: linux line [0-9]+: /' "$CLEAN")"; }

check "init ran every line of the list" log_has '^init: [0-9]+ started, 0 failed'
check "the initial stack at a fixed address: argc, argv, envp, auxv as Linux gives them" stack_ok 4
check "the same as a static position-independent executable" stack_ok 5
check "unknown calls get ENOSYS and the process goes on" unknown_ok
check "one line per unknown call number, naming it" unknown_logged
check "bad pointers to read, write and open get EFAULT" badptr_ok
check "a Linux program that faults is reported in one line and ended" \
	log_has "^untrusted process [0-9]+ '/bin/lx-fault': page fault writing 0x0 \(not mapped\) at rip 0x[0-9a-f]+; ended"
check "its status is the fault's (0x100 + 14)" exited 8 270
check "/tmp, /dev, /proc/self/exe, the read-only archive, brk, mmap, dup, ioctl" files_ok
check "the trusted pair keeps working beside them" \
	log_has 'kvclient: 1000 puts and gets through the kvstore door agree'
check "a glibc static PIE relocates itself, sets up its TLS, mallocs, prints" \
	seg_has 10 '^glibc static-pie: tls 42, last argument two, argc 3$'
net_down_ok() { seg_count 11 '^lx-net: ok - ' 5 && seg_has 11 '^lx-net: 5 checks, 0 failed$' && exited 11 0; }
check "without a Net door, sockets are made and the network's calls get ENETDOWN" net_down_ok
check "mknod of a device or a socket in /tmp: EPERM; a FIFO outside /tmp: EROFS" fifo_ok
check "busybox (glibc, static) starts: echo" seg_has 13 '^hello from busybox$'
check "glibc's startup asked only for rseq among unknown calls" only_rseq
check "every Linux process's exit was reported" all_ended
check "no process was killed, nothing panicked" sh -c '! grep -Eq "panic|\*\*\* |killed" "$0"' "$CLEAN"

# The host's side: the same busybox, the same files, the same environment.
cp -r tests/linux/t "$HOST/t"
normalize() { # command: its output on stdin, normalized where it must differ
	case "$1" in
	date) sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]+ [0-9]{4}$/<the time now>/' ;;
	"ls -l"*) sed -E 's/^([-dl][-rwxsStT]{9}) +([0-9]+) +[^ ]+ +[^ ]+ +([0-9]+) +[A-Z][a-z]{2} +[0-9]+ +[0-9:]+ /\1 \2 <owner> <group> \3 <time> /' ;;
	find*) sort ;;
	*) cat ;;
	esac
}
line=$first
same=0
printf '%s\n' "$commands" > "$HOST/commands"
while IFS= read -r cmd; do
	want=$(cd "$HOST" && env -i PATH=/bin:/usr/bin HOME=/ TERM=vt100 sh -c "/bin/busybox $cmd" 2>&1 < /dev/null)
	st=$?
	want=$(printf '%s\nexit status %s\n' "$want" "$st")
	got=$(segment "$line")
	want=$(printf '%s\n' "$want" | sed '/^$/d' | normalize "$cmd")
	got=$(printf '%s\n' "$got" | normalize "$cmd")
	if [ "$want" = "$got" ]; then
		echo "ok $((n + 1)) - busybox $cmd"
		same=$((same + 1))
	else
		echo "not ok $((n + 1)) - busybox $cmd"
		{ echo "# Linux:"; printf '%s\n' "$want" | sed 's/^/#   /'
		  echo "# Lemmings:"; printf '%s\n' "$got" | sed 's/^/#   /'; } >&2
	fi
	n=$((n + 1))
	line=$((line + 1))
done < "$HOST/commands"
check "every busybox command gave what it gives on Linux ($same of $count)" [ "$same" = "$count" ]

# The kernel's own suite, on the same archive: programs run to their exit
# and give everything back, bad starts refused, a program waiting on the
# console killed (kernel/linux/linux_ktest.c).
ktest_suite "the linux suite in the kernel: runs, refusals, kills (console, named pipe), nothing left behind" linux 5 \
	--timeout 600 --smp 4 --mem 1G --initrd build/archive.cpio
echo "# boot and $count busybox commands: ${BOOT_MS} ms"
