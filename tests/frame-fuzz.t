#!/bin/sh
# A run of programs/net's frame fuzzer (programs/net/frame_fuzz.c):
# 200,000 inputs from its seeds (programs/net/fuzz-seeds/frame) under
# AddressSanitizer and UndefinedBehaviorSanitizer, in a fresh corpus
# folder. Whether a frame goes to lwIP must follow from its length alone;
# the echo reply check must read only the packet and match only a whole
# reply with the awaited identifier and sequence number. A crash fails the
# test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
echo 1..1
corpus=$(mktemp -d) || exit 1
trap 'rm -rf "$corpus" "$corpus.log"' EXIT
if build/fuzz/frame_fuzz -runs=200000 -timeout=10 "$corpus" programs/net/fuzz-seeds/frame >"$corpus.log" 2>&1; then
	echo "ok 1 frame_fuzz: 200000 inputs, no crash, every promise kept"
else
	echo "not ok 1 frame_fuzz crashed or found a broken promise"
	sed 's/^/# /' "$corpus.log" | tail -40
fi
