\ quirk: a hart the firmware lists is kept out of the system (APIC id 2)
\ stage: harts
\ match: smbios.product lemmings-keep-out-apic2
\
\ The shape of a quirk for a board whose firmware lists a hart that must
\ not run (a broken core, one a hypervisor lends out). This one matches
\ only the product name tests/quirks.t gives QEMU (-smbios type=1,...).
2 hart-keep-out
