# Ethernet benchmarks (bench/ethernet-bench): the virtio-net driver and the
# Ethernet door under QEMU, frames per second each way (docs/performance.md).

BENCHES += bench/ethernet-bench
