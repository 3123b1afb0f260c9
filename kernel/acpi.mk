# kernel/acpi: the ACPI table parser, tested and fuzzed on the host (the
# kernel links it from kernel/module.mk).

ACPI_SRCS := kernel/acpi.c kernel/acpi_tables.c kernel/acpi_s5.c

HOST_TESTS += acpi_test
acpi_test_SRCS := $(ACPI_SRCS) kernel/acpi_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += acpi_fuzz
acpi_fuzz_SRCS := $(ACPI_SRCS) kernel/acpi_fuzz.c lib/fmt.c
acpi_fuzz_CORPUS := kernel/fuzz-seeds/acpi
