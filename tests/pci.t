#!/bin/sh
# PCI: on a machine with a virtio network and a virtio block device, the
# boot log lists both with their vendor:device ids, and the in-kernel tests
# of the Pci door (kernel/pci_test.c) and of the virtio library on the block
# device (kernel/virtio_test.c: a 1 MiB disk reading zeroes, serial
# lemmings-virtio) pass. tests/kernel.t leaves them out:
# they need these devices.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
devices="-device virtio-net-pci -blockdev driver=null-co,node-name=blk0,size=1048576,read-zeroes=on -device virtio-blk-pci,drive=blk0,serial=lemmings-virtio"
echo 1..5

QEMU_EXTRA=$devices boot_until '^pci: [0-9]+ functions?, through' 120 --smp 1 --mem 256M
check "the virtio network function is listed (transitional or modern id)" \
	log_has '^pci 0000:00:[0-9a-f]{2}\.0 1af4:(1000|1041) class 02\.00\.00 network virtio '
check "the virtio block function is listed" \
	log_has '^pci 0000:00:[0-9a-f]{2}\.0 1af4:(1001|1042) class 01\.00\.00 storage virtio '
check "the enumeration went through the MCFG's ECAM window" log_has '^pci: [0-9]+ functions, through ECAM'

QEMU_EXTRA="-machine pc" boot_until '^pci: [0-9]+ functions?, through' 120 --smp 1 --mem 256M
legacy_found_bridge() {
	log_has '^pci 0000:00:00\.0 8086:1237 class 06\.00\.00 bridge intel ' &&
		log_has '^pci: [0-9]+ functions, through the legacy ports \(no MCFG\)'
}
check "without an MCFG (i440FX) the legacy ports find the host bridge" legacy_found_bridge

ktest_suite "the in-kernel Pci door and virtio library tests pass" pci 8 --timeout 120 --qemu "$devices"
