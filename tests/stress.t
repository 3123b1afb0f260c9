#!/bin/sh
# Stress tests in a 6 GiB guest: a million threads alive at once (memory per
# thread from the allocator's counts), ten million spawns and exits in turn
# leaving the free page count where it was.
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 1800 --mem 6G 'stress.*'
