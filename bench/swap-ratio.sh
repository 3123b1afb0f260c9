# Sourced by the benchmarks of driver programs (bench/block-bench,
# bench/ethernet-bench). A boot with test= runs the kernel's tests and
# starts no program, so a program's figures cannot be set beside the bare
# register swap of their own boot: the swap comes from a boot of its own
# just before (test=bench.swap, the same build, the same machine), and the
# ratios are across two boots, not one as in bench/kernel-bench.
#
# swap_cycles: the swap round trip in cycles, or nothing if that boot fails.
swap_cycles() {
	_log=$(mktemp)
	timeout 120 tools/qemu-run --smp 1 --mem 256M --initrd build/archive.cpio \
		--append 'test=bench.swap' -- -monitor none -serial "file:$_log" \
		</dev/null >/dev/null 2>&1 || true
	awk '/^BENCH kernel\.swap_round_trip\.cycles / { print $3 + 0 }' "$_log"
	rm -f "$_log"
}

# swap_ratios SWAP LABEL < log: a comment line for each BENCH ...cycles
# line of the log, with its ratio to SWAP cycles; nothing if SWAP is empty.
swap_ratios() {
	[ -n "$1" ] || return 0
	awk -v swap="$1" -v label="$2" '
	/^BENCH [a-z0-9_.]+\.cycles / {
		printf "#   %s%-28s %8d cycles  %6.1fx swap (%d cycles, test=bench.swap boot)\n",
			label, $2, $3, $3 / swap, swap
	}'
}
