#!/bin/sh
# End to end: boot through GRUB and Multiboot 2, as on a real PC, and run the
# memory tests there.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo 1..5
iso=$(mktemp --suffix=.iso)
tools/mkiso build/lemmings.elf "$iso" 'test=vm.*,pmm.*'
boot_until 'tests, [0-9]+ failed' 300 --smp 2 --mem 512M --iso "$iso"
rm -f "$iso"
check "GRUB loaded the kernel through Multiboot 2" log_has 'boot loader: GRUB .*\(Multiboot 2\)'
check "GRUB's command line reached the kernel" log_has 'command line: "test=vm.\*,pmm.\*"'
check "memory tests pass under GRUB" log_has '^# [0-9]+ tests, 0 failed'
check "the ACPI RSDP comes from GRUB's Multiboot 2 tag" log_has "acpi: RSDP from the boot loader's copy"
check "both harts found through it and started" log_has 'smp: 2 harts running'
