# sdk/virtio/: the virtio 1.x library drivers link (docs/drivers.md, "virtio"):
# split virtqueues and the PCI transport. A driver program adds
# $(VIRTIO_SRCS) to its own sources. The library is compiled as programs
# are for `make check`, so that it stays freestanding, and tested on the
# host against a device in memory (virtq_testdev, never in a program).

VIRTIO_SRCS := sdk/virtio/virtq.c sdk/virtio/virtio_pci.c sdk/virtio/virtio_pci_door.c
CHECK_DEPS += $(call pobj,$(VIRTIO_SRCS))
$(call pobj,$(VIRTIO_SRCS)): | $(BUILD)/gen/lemmings/pci.h

HOST_TESTS += virtq_test
virtq_test_SRCS := sdk/virtio/virtq.c sdk/virtio/virtq_testdev.c sdk/virtio/virtq_test.c

HOST_TESTS += virtio_pci_test
virtio_pci_test_SRCS := sdk/virtio/virtq.c sdk/virtio/virtio_pci.c sdk/virtio/virtq_testdev.c \
	sdk/virtio/virtio_pci_test.c

FUZZERS += virtq_fuzz
virtq_fuzz_SRCS := sdk/virtio/virtq.c sdk/virtio/virtq_testdev.c sdk/virtio/virtq_fuzz.c
virtq_fuzz_CORPUS := sdk/virtio/fuzz-seeds/virtq

FUZZERS += virtio_pci_fuzz
virtio_pci_fuzz_SRCS := sdk/virtio/virtq.c sdk/virtio/virtio_pci.c sdk/virtio/virtq_testdev.c \
	sdk/virtio/virtio_pci_fuzz.c
virtio_pci_fuzz_CORPUS := sdk/virtio/fuzz-seeds/virtio_pci
