#!/bin/sh
# A short run of the init language's fuzzer (lang/lang_fuzz.c): 20,000
# inputs from its seeds (lang/fuzz-seeds) under AddressSanitizer and
# UndefinedBehaviorSanitizer, in a fresh corpus folder. Every input must run
# or end in one positioned error line; a crash or a malformed error line
# fails the test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
. tests/fuzz.sh
fuzz_run lang_fuzz lang/fuzz-seeds 20000 "every error positioned"
