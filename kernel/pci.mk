# kernel/pci_probe: reading a PCI function's configuration space, tested on
# the host against a fake function (the kernel links it from kernel/module.mk).

HOST_TESTS += pci_probe_test
pci_probe_test_SRCS := kernel/pci_probe.c kernel/pci_probe_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += pci_probe_fuzz
pci_probe_fuzz_SRCS := kernel/pci_probe.c kernel/pci_probe_fuzz.c lib/fmt.c
pci_probe_fuzz_CORPUS := kernel/fuzz-seeds/pci_probe
