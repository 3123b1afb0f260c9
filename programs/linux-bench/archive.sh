#!/bin/sh
# Adds the Linux benchmark programs (built beside the archive folder $1, in
# ../linux-bench) to its /bin.
set -e
cp "$1"/../linux-bench/lx-* "$1/bin/"
