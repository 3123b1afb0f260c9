#!/bin/sh
# Every in-kernel test (the SMP ones included) on four harts, all of them in
# the main scheduler.
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 600 --smp 4 --mem 1G --initrd build/archive.cpio '*,-stress.*,-bench.*,-pci.*,-irq.*'
