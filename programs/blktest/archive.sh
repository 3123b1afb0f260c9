#!/bin/sh
# Adds blktest's program lists to the boot archive folder $1: the driver,
# then blktest in one mode (/etc/programs.blk-write, ...).
set -e
mkdir -p "$1/etc"
for mode in write verify bad readonly ioerror bench; do
	printf '# The virtio-blk driver, and blktest %s (tests/block.t, bench/block-bench).\n/bin/virtio-blk\n/bin/blktest %s\n' \
		"$mode" "$mode" >"$1/etc/programs.blk-$mode"
done
