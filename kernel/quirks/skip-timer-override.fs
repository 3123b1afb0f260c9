\ quirk: the MADT's override of IRQ 0 (the PIT) is wrong: ignore it
\ stage: acpi
\ match: smbios.product lemmings-skip-timer-override
\
\ Some boards' MADT routes ISA IRQ 0 to a GSI where the timer is not;
\ the fix is to forget that one entry before anything reads it. Lemmings
\ takes its tick from the local APIC, so on QEMU the entry is harmless:
\ this quirk matches only the product name tests/quirks.t gives QEMU.
0 acpi-override-drop
