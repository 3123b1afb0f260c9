#!/bin/sh
# The stress tests again on four harts: a million threads alive and ten
# million spawned and ended, with the harts stealing from each other, the
# chain of a million unparks crossing harts, and every page back at the end.
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 3600 --smp 4 --mem 6G 'stress.*'
