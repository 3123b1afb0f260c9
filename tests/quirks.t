#!/bin/sh
# End to end: boot stages and quirks (docs/quirks.md). Each shipped quirk
# matches a product name QEMU is given with -smbios type=1,product=...,
# so none fires on an ordinary boot; one boot per quirk, and the boot
# options quirks=off and quirk=NAME. The tests' own stage scripts
# (tests/stages, in the archive as /etc/stages.test) show a script at
# each stage, a positioned error that ends only its script, a fault in a
# poke, no door calls before stage programs and a door call at it. Waits
# are liveness bounds.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo 1..23

A=build/archive.cpio

QEMU_EXTRA="-smbios type=1,product=lemmings-keep-out-apic2"
boot_until '^kvclient: .* agree' 180 --smp 4 --mem 512M --initrd $A \
	--append 'stages=/etc/stages.test programs=/etc/programs.test shell=off'
check "with -smp 4 and the product keep-out-apic2 matches, three harts run" \
	log_has '^smp: 3 harts running'
check "the boot log names the quirk, what matched and its stage" \
	log_has '^quirk keep-out-apic2 \(stage harts\): matched smbios.product=lemmings-keep-out-apic2'
check "and what it did: APIC id 2 kept out" log_has '^smp: APIC id 2 kept out \(quirk keep-out-apic2\)'
check "no other quirk matched" sh -c "[ \$(grep -c '^quirk [a-z0-9-]* (stage' '$LOG') = 1 ]"
check "SMBIOS, CPUID and the hypervisor signature are read (TCG)" \
	log_has '^quirks: machine: smbios "QEMU" "lemmings-keep-out-apic2", cpu .* hypervisor "TCGTCGTCGTCG"'
check "stage acpi runs its scripts before the ACPI tables are reported" \
	sh -c "grep -n 'stage-test: acpi' '$LOG' | cut -d: -f1 | head -1 | \
		{ read a; b=\$(grep -n '^acpi: RSDP' '$LOG' | cut -d: -f1); [ \"\$a\" -lt \"\$b\" ]; }"
check "a door call at stage acpi is an error that says why" \
	log_has '^/etc/stages.test/acpi/2-door.fs:3:5: error: unknown word: kvstore.put \(no door calls before stage programs'
check "a script error is file:line:col and stops that script only" \
	log_has '^/etc/stages.test/harts/1-error.fs:5:7: error: unknown word: nosuchword'
check "the stage's next script runs after it" log_has '^stage-test: harts goes on'
check "a fault in a poke at stage sched is the script's error" \
	log_has '^/etc/stages.test/sched/1-fault.fs:3:3: error: page fault: reading unmapped page at 0x0'
check "at stage programs door routines are words (harts.count)" \
	log_has '^stage-test: programs, harts.count 3 '
check "nothing of the scripts' output was reached after their errors" \
	sh -c "! grep -q 'not reached' '$LOG'"
check "and the boot goes on to the programs" log_has '^kvclient: .* agree'

boot_until '^sched: harts' 120 --smp 4 --mem 512M --initrd $A --append 'quirks=off'
check "with quirks=off all four harts run" log_has '^smp: 4 harts running'
check "and the log says quirks are off" log_has '^quirks: off \(quirks=off\)'
QEMU_EXTRA=

boot_until '^sched: harts' 120 --smp 4 --mem 512M --initrd $A --append 'quirk=keep-out-apic2'
check "quirk=NAME runs that quirk whatever the machine (no product given)" \
	log_has '^quirk keep-out-apic2 \(stage harts\): forced by quirk=keep-out-apic2'
check "and it keeps APIC id 2 out" log_has '^smp: 3 harts running'

QEMU_EXTRA="-smbios type=1,product=lemmings-skip-timer-override"
boot_until '^sched: harts' 120 --smp 1 --mem 256M --initrd $A
check "skip-timer-override drops the MADT's IRQ 0 override at stage acpi" \
	log_has '^quirk skip-timer-override: the MADT.s interrupt source override of IRQ 0 is ignored'
check "and the tables are reported without it (4 overrides, no IRQ 0 route)" \
	sh -c "grep -q 'I/O APIC, 4 interrupt overrides' '$LOG' && ! grep -q 'ISA IRQ 0 is GSI' '$LOG'"

QEMU_EXTRA="-smbios type=1,product=lemmings-pit-clock"
boot_until '^sched: harts' 120 --smp 1 --mem 256M --initrd $A
check "pit-clock makes the kernel ignore the HPET and calibrate against the PIT" \
	sh -c "grep -q '^quirk pit-clock: the HPET is ignored' '$LOG' &&
		grep -q '^acpi: HPET at 0xfed00000 ignored' '$LOG' &&
		grep -q 'calibrated against the PIT' '$LOG'"
check "and no other quirk runs: each matches only its own product" \
	sh -c "[ \$(grep -c '^quirk [a-z0-9-]* (stage' '$LOG') = 1 ]"

disk=$(mktemp)
truncate -s 1M "$disk"
QEMU_EXTRA="-smbios type=1,product=lemmings-pci-poke -drive file=$disk,if=none,format=raw,id=d0 -device virtio-blk-pci,drive=d0"
boot_until '^virtio-blk: .*Block door published' 180 --smp 2 --mem 512M --initrd $A
QEMU_EXTRA=
rm -f "$disk"
check "virtio-blk-cache-line pokes the function's configuration at stage programs and reads it back" \
	log_has '^quirk virtio-blk-cache-line: PCI function [0-9]+ cache line size now 16 '
check "before the driver starts, which then publishes its door" \
	sh -c "a=\$(grep -n 'cache line size now' '$LOG' | cut -d: -f1); \
		b=\$(grep -n '^virtio-blk: .*Block door published' '$LOG' | cut -d: -f1); [ \"\$a\" -lt \"\$b\" ]"
