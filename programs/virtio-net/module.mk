# programs/virtio-net: the virtio-net driver, publishing the Ethernet door
# (docs/drivers.md, "virtio-net and the Ethernet door"). Listed in
# /etc/programs: with no virtio network device it says so and ends.
PROGRAMS += virtio-net
virtio-net_SRCS = programs/virtio-net/vnet.c programs/virtio-net/ethernet.c programs/virtio-net/lock.c programs/virtio-net/hostile.c $(VIRTIO_SRCS)
