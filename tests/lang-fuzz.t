#!/bin/sh
# A short run of the init language's fuzzer (lang/lang_fuzz.c): 20,000
# inputs from its seeds (lang/fuzz-seeds) under AddressSanitizer and
# UndefinedBehaviorSanitizer, in a fresh corpus folder. Every input must run
# or end in one positioned error line; a crash or a malformed error line
# fails the test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
echo 1..1
corpus=$(mktemp -d) || exit 1
trap 'rm -rf "$corpus"' EXIT
if build/fuzz/lang_fuzz -runs=20000 -timeout=10 "$corpus" lang/fuzz-seeds > "$corpus.log" 2>&1; then
	echo "ok 1 lang_fuzz: 20000 inputs, no crash, every error positioned"
else
	echo "not ok 1 lang_fuzz crashed or found a malformed error"
	sed 's/^/# /' "$corpus.log" | tail -40
fi
rm -f "$corpus.log"
