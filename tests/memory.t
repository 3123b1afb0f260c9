#!/bin/sh
# The Memory door in the kernel on four harts in a small guest (128 MiB,
# exhausted page by page in about a second under TCG): the tests both homes
# share (services/memory_test.c), the kernel's own (kernel/memory_door_test.c)
# and pmm's, runs among them. tests/kernel.t and tests/smp.t run them too, in
# 1 GiB.
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 300 --smp 4 --mem 128M 'memory*,pmm.*'
