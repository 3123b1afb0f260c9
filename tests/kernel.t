#!/bin/sh
# Every in-kernel test, in one boot (see tools/ktest-run), with the boot
# archive for the tests that start programs from it (the pci and irq suites
# need devices of their own: tests/pci.t, tests/irq.t).
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 600 --mem 1G --initrd build/archive.cpio '*,-stress.*,-bench.*,-pci.*,-irq.*'
