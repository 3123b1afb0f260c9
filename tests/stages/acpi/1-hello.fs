\ tests/quirks.t: a script at stage acpi runs, before threads exist.
." stage-test: acpi, hypervisor leaf " 0x40000000 0 cpuid drop drop drop hex . decimal cr
