# Helpers for end-to-end tests (sourced by tests/*.t).
#
# boot_until PATTERNS SECONDS [qemu-run options...]
#   Boots QEMU with its serial console going to $LOG and waits until the log
#   matches every line of PATTERNS (extended regexps, one per line) or
#   SECONDS pass, then stops QEMU. Returns 0 if they all appeared. $BOOT_MS
#   is how long that took. SECONDS is a liveness bound: a wait ends as soon
#   as the patterns appear. A check may rely only on output that comes
#   before one of the patterns on the same thread; output of threads that
#   run alongside (another program, another hart) needs a pattern of its
#   own, however quickly it usually follows. $QEMU_EXTRA, if set, adds
#   arguments to QEMU's command line (devices), split at spaces.

LOG=$(mktemp)
trap 'rm -f "$LOG"; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; true' EXIT
n=0

boot_until() {
	pattern=$1 secs=$2
	shift 2
	: >"$LOG"
	# shellcheck disable=SC2086 # split at spaces on purpose
	tools/qemu-run "$@" -- ${QEMU_EXTRA:-} -monitor none -serial "file:$LOG" </dev/null >/dev/null 2>&1 &
	QEMU_PID=$!
	start=$(date +%s%N)
	found=1
	while :; do
		if log_has_all "$pattern"; then found=0; break; fi
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then break; fi
		if [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge "$secs" ]; then break; fi
		sleep 0.02
	done
	BOOT_MS=$(( ($(date +%s%N) - start) / 1000000 ))
	sleep 0.2 # let the console catch up
	kill "$QEMU_PID" 2>/dev/null
	wait "$QEMU_PID" 2>/dev/null
	QEMU_PID=
	return $found
}

# check DESCRIPTION COMMAND...: one TAP line.
check() {
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		# On standard error, which prove shows even when not verbose.
		{ echo "# ---- serial log ----"; sed 's/^/# /' "$LOG"; } >&2
	fi
}

# program_checks NAME UPTO: each line "NAME: ok - WHAT" or "NAME: FAILED -
# WHAT" a program printed on the console, in order, as the next TAP line;
# then, if fewer came, failed lines up to test number UPTO (and the serial
# log on standard error).
program_checks() {
	tr -d '\r' <"$LOG" | grep -E "^$1: (ok|FAILED) - " >"$LOG.checks"
	while IFS= read -r line; do
		n=$((n + 1))
		case "$line" in
		"$1: ok - "*) echo "ok $n - ${line#"$1: ok - "}" ;;
		*) echo "not ok $n - ${line#"$1: FAILED - "}" ;;
		esac
	done <"$LOG.checks"
	rm -f "$LOG.checks"
	if [ "$n" -lt "$2" ]; then
		{ echo "# ---- serial log ----"; sed 's/^/# /' "$LOG"; } >&2
		while [ "$n" -lt "$2" ]; do
			n=$((n + 1))
			echo "not ok $n - $1 printed fewer checks than expected"
		done
	fi
}

# free_port [TAKEN...]: a port of 127.0.0.1 no socket uses: from a random
# start in 20000-27999 up, the first that /proc/net/tcp and tcp6 list in no
# state and that is not one of TAKEN (ports this test picked already).
free_port() {
	_used=$(awk 'FNR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 8000))
	while case " $(echo $_used) $* " in *" $(printf '%04X' "$_p") "* | *" $_p "*) true ;; *) false ;; esac; do
		_p=$((_p + 1))
	done
	echo "$_p"
}

log_has() {
	grep -Eq "$1" "$LOG"
}

# log_has_all PATTERNS: the log matches every line of PATTERNS.
log_has_all() {
	printf '%s\n' "$1" | while IFS= read -r p; do
		[ -z "$p" ] || grep -Eq -- "$p" "$LOG" || exit 1
	done
}

# ktest_suite DESCRIPTION SUITE AT_LEAST [tools/ktest-run options...]: one
# TAP line, ok if the in-kernel tests SUITE.* run by tools/ktest-run all
# pass and at least AT_LEAST of them ran. Their output is shown as
# comments. $KTEST_BOOT, if set, adds boot options after the glob (split
# at spaces).
ktest_suite() {
	desc=$1 suite=$2 least=$3
	shift 3
	# shellcheck disable=SC2086 # split at spaces on purpose
	out=$(tools/ktest-run "$@" "$suite.*" ${KTEST_BOOT:-} 2>&1)
	status=$?
	echo "$out" | sed 's/^/# /'
	n=$((n + 1))
	if [ "$status" = 0 ] && [ "$(echo "$out" | grep -c "^ok [0-9]* - $suite\\.")" -ge "$least" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		ktest_failure "$out"
	fi
}

# ktest_failure OUTPUT: a failed suite's failing tests, their diagnostics
# and the run's last lines, on stderr, which prove shows without -v.
ktest_failure() {
	{
		printf '%s\n' "$1" | grep -E '^(not ok|#)'
		echo "(last lines of the run:)"
		printf '%s\n' "$1" | tail -15
	} | sed 's/^/# /' >&2
}

# http_raw BYTES: send BYTES (printf %b escapes) to 127.0.0.1:$port on a new
# connection and print what comes back until the server closes or 8 s
# pass. http_status BYTES: the first line of that, without its CR.
http_raw() {
	timeout 8 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
		printf "%b" "$1" >&3
		cat <&3' _ "$1"
}

http_status() {
	http_raw "$1" | head -n 1 | tr -d '\r'
}
