#!/bin/bash
# The init language's shell on the kernel's serial console (kernel/shell.c,
# services/shell.c, docs/init.md), driven through QEMU's stdio: a list
# word, a door call that changes the kvstore and one that reads it back, a
# fault that ends a command and not the shell, a hart taken out of the
# scheduler and put back, a program started, history and Tab completion,
# a bad address given to type and to a door call,
# then poweroff. Then the same door calls, harts and start in
# lemmings-hosted's shell, from a pipe.
#
# The console echoes what is typed (with the editor's ANSI redraws); the
# checks read the log with CRs and escape sequences removed, and each
# command prints a marker (." A:") so that its result is found by it.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

echo 1..15

FIFO=$(mktemp -u)
mkfifo "$FIFO"
CLEAN=$LOG.clean
trap 'exec 3>&- 2>/dev/null; rm -f "$LOG" "$CLEAN" "$FIFO"; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; true' EXIT

tools/qemu-run --smp 2 --mem 256M --initrd build/archive.cpio -- -monitor none \
	<"$FIFO" >"$LOG" 2>&1 &
QEMU_PID=$!
exec 3>"$FIFO"

clean() {
	tr -d '\r' <"$LOG" | sed 's/\x1b\[[0-9]*[A-Za-z]//g' >"$CLEAN"
}

# wait_for REGEXP SECONDS: until the cleaned log has a line matching it.
wait_for() {
	end=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -le "$end" ]; do
		clean
		grep -Eq -- "$1" "$CLEAN" && return 0
		kill -0 "$QEMU_PID" 2>/dev/null || { clean; grep -Eq -- "$1" "$CLEAN"; return; }
		sleep 0.1
	done
	return 1
}

# send TEXT: typed on the console (printf %b escapes).
send() {
	printf '%b' "$1" >&3
}

check "the kernel boots into the shell after init (kvstore published)" \
	wait_for '^init: [0-9]+ started' 120
wait_for 'kvstore: door published' 60

send 'doors\n'
check "doors lists the kvstore door's routines as words" \
	wait_for '^kvstore \(3 routines\): kvstore.put kvstore.get kvstore.count' 30

send '." A:" 7 42 kvstore.put .\n'
check "kvstore.put through the door: status 0" wait_for '^A:0 $' 30
send 'variable v ." B:" 7 v kvstore.get . v @ .\n'
check "kvstore.get reads the value back into a variable: 42" wait_for '^B:0 42 $' 30

send '." C:" 1 2 0 @ .\n'
check "a page fault in a command is a positioned error" \
	wait_for 'console:[0-9]+:14: error: page fault: reading unmapped page at 0x0$' 30
send '." T:" 0 16 type\n'
check "type of an unmapped address: a fault, caught outside the console's lock" \
	wait_for 'console:[0-9]+:13: error: page fault: reading unmapped page at 0x0$' 30
send '." U:" 7 4096 kvstore.get .\n'
check "a door call's unmapped pointer is refused before the call" \
	wait_for 'console:[0-9]+:15: error: bad address$' 30
send '." D:" depth . 1 2 + .\n'
check "the shell (and the console) are usable after the faults, the stack empty" \
	wait_for '^D:0 3 $' 30

send '1 hart-rem\t\nharts\n'
check "hart-remove (completed by Tab) takes hart 1 out of the scheduler" \
	wait_for '^ +1 +1 outside ' 30
send '1 hart-add harts ." E:"\n'
wait_for '^E:' 30
check "hart-add puts it back" sh -c "grep -E '^ +1 +1 ' '$CLEAN' | tail -1 | grep -q scheduled"

send 's" /bin/hello from-the-shell" start\n'
wait_for 'argv\[1\] = from-the-shell' 30 && wait_for '^started /bin/hello \(thread handle' 5
check "the program ran with the argument given" [ $? = 0 ]

send '." H:" 5 5 * .\n\033[A\n'
wait_for '^H:25 $' 30
sleep 1
clean
check "up arrow repeats the last line" [ "$(grep -c '^H:25 $' "$CLEAN")" -eq 2 ]

send '." K:" kvstore.cou\t .\n'
check "Tab completes a door routine's word" wait_for '^K:[0-9]+ $' 30

send 'poweroff\n'
wait "$QEMU_PID"
status=$?
QEMU_PID=
check "poweroff ends QEMU through isa-debug-exit (status 1)" [ "$status" -eq 1 ]

# lemmings-hosted: the same shell from a pipe. The door calls wait until
# init's programs have had a second to publish the kvstore door.
{ sleep 1; printf '%s\n' '." A:" 9 77 kvstore.put . variable w ." B:" 9 w kvstore.get . w @ .' \
	'1 hart-remove harts' '1 hart-add harts ." E:"' 's" /bin/hello hosted-arg" start' \
	'." X:" 9 12345 kvstore.get .'; sleep 1; } |
	timeout 60 build/lemmings-hosted --harts 2 --shell build/archive.cpio >"$LOG" 2>&1
clean
check "lemmings-hosted: door calls, harts moved out and in, a program started, a bad pointer refused" sh -c "
	grep -q '^A:0 B:0 77 \$' '$CLEAN' &&
	grep -Eq '^ +1 +1 outside ' '$CLEAN' &&
	grep -E '^ +1 +1 ' '$CLEAN' | tail -1 | grep -q scheduled &&
	grep -q 'argv\\[1\\] = hosted-arg' '$CLEAN' &&
	grep -Eq 'stdin:[0-9]+:16: error: bad address' '$CLEAN'"
