# Kernel benchmarks (core/sched_bench.c, run as the bench.* tests in QEMU).

BENCHES += bench/kernel-bench
