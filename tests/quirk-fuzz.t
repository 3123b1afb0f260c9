#!/bin/sh
# A run of the quirk-header and SMBIOS fuzzer (kernel/quirk_fuzz.c):
# 200,000 inputs from its seeds (kernel/fuzz-seeds/quirk) under
# AddressSanitizer and UndefinedBehaviorSanitizer, in a fresh corpus
# folder. Every header must parse into bounded fields or get an error
# positioned inside the text; the SMBIOS readers must stay in bounds. A
# crash fails the test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
echo 1..1
corpus=$(mktemp -d) || exit 1
trap 'rm -rf "$corpus" "$corpus.log"' EXIT
if build/fuzz/quirk_fuzz -runs=200000 -timeout=10 "$corpus" kernel/fuzz-seeds/quirk > "$corpus.log" 2>&1; then
	echo "ok 1 quirk_fuzz: 200000 inputs, no crash, every error positioned"
else
	echo "not ok 1 quirk_fuzz crashed or found a malformed header error"
	sed 's/^/# /' "$corpus.log" | tail -40
fi
