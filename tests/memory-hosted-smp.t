#!/bin/sh
# The Memory door in the hosted runtime on four harts: the tests both homes
# share (services/memory_test.c, a 64 MiB budget exhausted and given back)
# and the hosted home's own (hosted/memory_door_test.c).
cd "$(dirname "$0")/.." || exit 1
LEMMINGS_HARTS=4 exec build/tests/hosted_memory_door_test
