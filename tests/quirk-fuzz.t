#!/bin/sh
# A run of the quirk-header and SMBIOS fuzzer (kernel/quirk_fuzz.c):
# 200,000 inputs from its seeds (kernel/fuzz-seeds/quirk) under
# AddressSanitizer and UndefinedBehaviorSanitizer, in a fresh corpus
# folder. Every header must parse into bounded fields or get an error
# positioned inside the text; the SMBIOS readers must stay in bounds. A
# crash fails the test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
. tests/fuzz.sh
fuzz_run quirk_fuzz kernel/fuzz-seeds/quirk 200000 "every error positioned"
