# programs/virtio-blk: the virtio block driver, publishing the Block door
# (docs/drivers.md, "virtio-blk and the Block door"). Started at boot from
# programs/init.list; without a virtio block device it says so and ends.
# (= not :=: sdk/virtio/virtio.mk, which sets VIRTIO_SRCS, is read after this file.)
PROGRAMS += virtio-blk
virtio-blk_SRCS = programs/virtio-blk/virtio_blk.c programs/virtio-blk/vblk.c \
	programs/virtio-blk/vblk_setup.c $(VIRTIO_SRCS)

# Requests and completion on the host, against a device in memory.
HOST_TESTS += vblk_test
vblk_test_SRCS := programs/virtio-blk/vblk.c programs/virtio-blk/vblk_test.c sdk/libc/lock.c sdk/libc/clock.c sdk/virtio/virtq.c \
	sdk/virtio/virtq_testdev.c sdk/virtio/virtio_pci.c
