# programs/virtio-net: the virtio-net driver, publishing the Ethernet door
# (docs/drivers.md, "virtio-net and the Ethernet door"). Listed in
# /etc/programs: with no virtio network device it says so and ends.
PROGRAMS += virtio-net
virtio-net_SRCS = programs/virtio-net/vnet.c programs/virtio-net/vnet_door.c programs/virtio-net/vnet_hostile.c $(VIRTIO_SRCS)
