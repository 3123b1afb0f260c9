# Block benchmarks (programs/blktest bench, through programs/virtio-blk and
# the Block door, in QEMU): bench/block-bench.
BENCHES += bench/block-bench
