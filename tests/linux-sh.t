#!/bin/sh
# busybox sh under the Linux personality (docs/linux.md, "Processes"): each
# line below runs in the guest as `/bin/busybox sh -c 'LINE'` (the kernel
# test linux_sh.*, kernel/linux/linux_sh_test.c, four harts, two set apart)
# and on the host under the same busybox, in a copy of the boot archive with
# the applets linked in /bin; the output and exit status must match.
# Pipelines (fork, pipe2, dup2, execve, wait4), a loop, $(...), statuses,
# more than a pipe holds, SIGPIPE; signals (ash's wait builtin, trap, a
# kill of a background job, an EXIT trap, SIGCHLD's handler); threads (tests/linux/lx-threads: clone
# of threads, TLS, futexes, a thread's exit_group); named pipes (tests/linux/lx-fifo, mkfifo,
# ls -l and test -p of one, a writer in the background, a ring of two dd through two). Then a fork bomb bounded by the Linux
# process table (32): the shell gets "can't fork" and ends (ash's way), its
# children go on as orphans and free themselves; nothing is left after.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

busybox=$(command -v busybox)
if [ -z "$busybox" ] || ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "1..0 # SKIP no static busybox on the host (tools/deps installs busybox-static)"
	exit 0
fi

# Lines (no single quotes: the guest wraps each in them). Relative paths:
# the guest starts in /, the host in the archive's copy. Where a job is
# killed, ash may say "Terminated" or not, as the child's end and the
# shell's next look at its jobs fall (on Linux too): those lines send
# stderr away.
cat >"$LOG.cmds" <<'LINES'
echo hi; exit 3
cat etc/words | sort | uniq -c | sort -rn | head -3
for i in 1 2 3; do echo "n $i"; done
i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo "i=$i"; done | tail -2
echo "x$(echo inner)y $(cat etc/words | wc -l)"
false; echo "status $?"; true && echo yes || echo no
sh -c "exit 7"; echo "child $?"
seq 1 3000 | tr 0-9 a-j | tail -1
yes | head -2
(echo a; echo b) | cat; echo "b$(seq 3 | sort -r | tr -d "\n")"
echo data > tmp/f; cat tmp/f; exec echo replaced
bin/lx-threads; bin/lx-threads group; echo "group $?"; bin/lx-threads signal
sleep 1 & wait; echo "waited $?"
trap "echo got" USR1; kill -USR1 $$; echo after
exec 2>/dev/null; ( sleep 5 ) & kill $!; wait $!; echo "status $?"
trap "echo bye" EXIT; echo main
exec 2>/dev/null; sleep 5 & kill -TERM $!; wait; echo "wait $?"; yes | head -1
trap "echo child" CHLD; sleep 0.1; echo slept
bin/lx-signals; echo "signals $?"
bin/lx-signals badframe; echo "bad frame $?"
bin/lx-signals badstack; echo "bad stack $?"
bin/lx-signals badfp; echo "bad fp $?"
bin/lx-fifo; echo "fifo $?"
umask 022; mkfifo tmp/p1; ls -l tmp/p1 | cut -c1-10; [ -p tmp/p1 ] && echo fifo; stat -c "%F %a %s" tmp/p1; rm tmp/p1; [ -e tmp/p1 ] || echo gone
mkfifo tmp/p2; (echo hi > tmp/p2 &); cat tmp/p2; rm tmp/p2
mkfifo tmp/p3; (seq 1 2000 > tmp/p3 &); wc -l < tmp/p3; rm tmp/p3
mkfifo tmp/ra tmp/rb; { dd bs=1 count=20 of=tmp/rb 2>/dev/null; cat > /dev/null; } < tmp/ra & { printf x; dd if=tmp/rb bs=1 count=20 status=noxfer 2>tmp/rlog; } > tmp/ra; wait; echo "ring $?"; cat tmp/rlog; rm tmp/ra tmp/rb tmp/rlog
i=0; while [ $i -lt 40 ]; do sleep 10 & i=$((i+1)); done; echo done
LINES
compared=27 # the lines before the fork bomb
echo "1..$((compared + 7))"

stage=$(mktemp -d)
trap 'rm -rf "$stage" "$LOG" "$LOG".*; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; true' EXIT
cp -a build/archive/. "$stage/"
cp "$busybox" "$stage/bin/busybox"
for a in $("$busybox" --list); do
	[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
done
mkdir -p "$stage/tmp"
printf 'apple\nbanana\napple\ncherry\nbanana\napple\ndate\ncherry\napple\nfig\n' >"$stage/etc/words"
cp "$LOG.cmds" "$stage/etc/linux-sh.cmds"
(cd "$stage" && find . | cpio -o -H newc --quiet) >"$LOG.cpio"

boot_until '^# 1 tests, [0-9]+ failed' 900 --smp 4 --mem 512M --initrd "$LOG.cpio" \
	--append "test=linux_sh.*"
check "the kernel test ran every line and left no process, space or pipe" \
	log_has '^ok 1 linux_sh.command_lines_run_in_busybox_sh'

# What line $1 wrote in the guest, without the kernel's own lines.
guest_output() {
	tr -d '\r' <"$LOG" | sed -n "/^=== begin $1\$/,/^=== end $1 /p" | sed '1d;$d' |
		grep -Ev "^(untrusted process [0-9]+ |linux process [0-9]+ '[^']*': (unknown system call|.* killed by SIGSEGV$))"
}
guest_status() {
	tr -d '\r' <"$LOG" | sed -n "s/^=== end $1 status 0x\([0-9a-f]*\)\$/\1/p"
}

i=0
while IFS= read -r line; do
	[ $i -ge $compared ] && break
	rm -f "$stage/tmp/f"
	host=$(cd "$stage" && PATH="$stage/bin" "$stage/bin/busybox" sh -c "$line" 2>&1)
	host_status=$?
	guest=$(guest_output $i)
	gs=$(guest_status $i)
	if [ "$host" = "$guest" ] && [ -n "$gs" ] && [ $((0x$gs)) -eq $host_status ]; then
		echo "ok $((n = n + 1)) - as on Linux: $line"
	else
		echo "not ok $((n = n + 1)) - as on Linux: $line"
		{ echo "# host (status $host_status):"; echo "$host" | sed 's/^/#   /'
		  echo "# guest (status 0x$gs):"; echo "$guest" | sed 's/^/#   /'; } >&2
	fi
	i=$((i + 1))
done <"$LOG.cmds"

check "a bad signal frame is reported in one line" \
	log_has "^linux process [0-9]+ 'lx-signals': bad signal frame at 0x[0-9a-f]+: killed by SIGSEGV"
check "and a frame at an unreadable address" \
	log_has "^linux process [0-9]+ 'lx-signals': signal frame not readable at 0x8: killed by SIGSEGV"
check "and a frame whose FP state fxrstor would refuse" \
	log_has "^linux process [0-9]+ 'lx-signals': bad FP state in a signal frame at 0x[0-9a-f]+: killed by SIGSEGV"

bomb=$(guest_output $compared)
check "a fork bomb: the shell is told it cannot fork" \
	sh -c 'printf "%s\n" "$1" | grep -q "can.t fork"' - "$bomb"
check "and ends as ash does then (status 2), not the system" \
	log_has "^=== end $compared status 0x2"
check "its children, orphans now, run to their end and free themselves" \
	log_has "^untrusted process [0-9]+ 'sleep': exited with status 0"
