#!/bin/sh
# A run of programs/net's frame fuzzer (programs/net/frame_fuzz.c):
# 200,000 inputs from its seeds (programs/net/fuzz-seeds/frame) under
# AddressSanitizer and UndefinedBehaviorSanitizer, in a fresh corpus
# folder. Whether a frame goes to lwIP must follow from its length alone;
# the echo reply check must read only the packet and match only a whole
# reply with the awaited identifier and sequence number. A crash fails the
# test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
. tests/fuzz.sh
fuzz_run frame_fuzz programs/net/fuzz-seeds/frame 200000 "every promise kept"
