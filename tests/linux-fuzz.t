#!/bin/sh
# A run of the Linux personality's fuzzer (kernel/linux/linux_fuzz.c):
# 200,000 inputs from its seeds (kernel/fuzz-seeds/linux) under
# AddressSanitizer and UndefinedBehaviorSanitizer, in a fresh corpus
# folder: command lines split into words, paths made absolute and normal,
# initial stacks built, ELF files planned, each result checked. A crash
# fails the test. `make fuzz` runs it for a million inputs.
cd "$(dirname "$0")/.." || exit 1
. tests/fuzz.sh
fuzz_run linux_fuzz kernel/fuzz-seeds/linux 200000 "every promise kept"
