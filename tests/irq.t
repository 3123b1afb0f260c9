#!/bin/sh
# Interrupts as events: on four harts, with QEMU's edu device (MSI and
# INTx) and a virtio network card (MSI-X), the boot log names the I/O APIC
# and the vector pool, and the in-kernel tests of the Irq door
# (kernel/irq_test.c) pass: interrupts counted under load on every hart,
# none lost; a level line masked until unmasked; an MSI-X entry written;
# bad arguments refused. tests/kernel.t leaves them out: they need these
# devices.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
devices="-device edu -device virtio-net-pci,netdev=n0 -netdev user,id=n0,restrict=on"
echo 1..3

QEMU_EXTRA=$devices boot_until '^irq: vectors ' 120 --smp 4 --mem 256M
check "the I/O APIC is found and masked" log_has '^ioapic: id [0-9]+ at 0x[0-9a-f]+, GSIs 0-23, all masked'
check "the MADT's override of ISA IRQ 0 is applied" log_has '^ioapic: ISA IRQ 0 is GSI 2, edge, active high'

ktest_suite "the in-kernel Irq door tests pass" irq 4 --timeout 300 --smp 4 --mem 256M --qemu "$devices"
