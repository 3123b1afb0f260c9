#!/bin/sh
# Adds the untrusted test programs (built beside the archive folder $1, in
# ../untrusted) to its /bin, and their list as /etc/programs.isolation.
set -e
dir=$1
src=$(dirname "$0")
cp "$dir"/../untrusted/u-* "$dir/bin/"
rm -f "$dir"/bin/u-*.o "$dir"/bin/u-*.d
cp "$src/isolation.list" "$dir/etc/programs.isolation"
