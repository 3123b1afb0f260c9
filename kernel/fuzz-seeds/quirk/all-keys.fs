\ stage: harts
\ match: pci 1af4:1001
\ match: cpu.family 0x19
\ match: cpu.model 33
\ match: acpi.oem BOCHS*
\ match: acpi.table BXPC*
\ match: cpu.vendor GenuineIntel
\ match: hypervisor KVMKVMKVM
1 .
