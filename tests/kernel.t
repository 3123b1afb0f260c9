#!/bin/sh
# Every in-kernel test, in one boot (see tools/ktest-run).
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 600 --mem 1G '*,-stress.*,-bench.*'
