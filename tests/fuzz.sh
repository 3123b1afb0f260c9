# Sourced by tests/*-fuzz.t: a run of one libFuzzer target as a test.
#
# fuzz_run NAME SEEDS RUNS PROMISE: build/fuzz/NAME for RUNS inputs from the
# seed folder SEEDS, in a fresh corpus folder removed at the end. One TAP
# line: ok if the run ends without a crash or a broken check (the target
# aborts on those), else not ok with the run's last 40 lines as comments.
fuzz_run() {
	name=$1 seeds=$2 runs=$3 promise=$4
	echo 1..1
	corpus=$(mktemp -d) || exit 1
	trap 'rm -rf "$corpus" "$corpus.log"' EXIT
	if "build/fuzz/$name" -runs="$runs" -timeout=10 "$corpus" "$seeds" >"$corpus.log" 2>&1; then
		echo "ok 1 $name: $runs inputs, no crash, $promise"
	else
		echo "not ok 1 $name crashed, or broke its promise: $promise"
		sed 's/^/# /' "$corpus.log" | tail -40
	fi
}
