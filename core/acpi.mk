# core/acpi: the ACPI table parser, tested and fuzzed on the host. The lead
# engineer links core/acpi.c into the kernel (not listed in KERNEL_SRCS here).

HOST_TESTS += acpi_test
acpi_test_SRCS := core/acpi.c core/acpi_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += acpi_fuzz
acpi_fuzz_SRCS := core/acpi.c core/acpi_fuzz.c lib/fmt.c
acpi_fuzz_CORPUS := core/fuzz-seeds/acpi
