#!/bin/sh
# A run of the Linux personality's fuzzer (kernel/linux/linux_fuzz.c):
# 200,000 inputs from its seeds (kernel/fuzz-seeds/linux) under
# AddressSanitizer and UndefinedBehaviorSanitizer, in a fresh corpus
# folder: command lines split into words, paths made absolute and normal,
# initial stacks built, ELF files planned, each result checked. A crash
# fails the test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
echo 1..1
corpus=$(mktemp -d) || exit 1
trap 'rm -rf "$corpus" "$corpus.log"' EXIT
if build/fuzz/linux_fuzz -runs=200000 -timeout=10 "$corpus" kernel/fuzz-seeds/linux > "$corpus.log" 2>&1; then
	echo "ok 1 linux_fuzz: 200000 inputs, no crash, every promise kept"
else
	echo "not ok 1 linux_fuzz crashed or broke a promise"
	sed 's/^/# /' "$corpus.log" | tail -40
fi
