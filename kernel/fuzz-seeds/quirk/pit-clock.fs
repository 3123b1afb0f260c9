\ quirk: the HPET is not trustworthy here: calibrate time against the PIT
\ stage: acpi
\ match: smbios.product lemmings-pit-clock
\
\ For machines whose HPET counts at another rate than its period says,
\ or not at all. Matches only the product name tests/quirks.t gives QEMU.
hpet-ignore
