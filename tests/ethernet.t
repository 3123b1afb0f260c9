#!/bin/sh
# The virtio-net driver (programs/virtio-net) and the Ethernet door, on
# QEMU's user network (slirp; nothing leaves the machine): programs/ethtest
# checks the door's info and refusals, an ARP exchange with the gateway
# 10.0.2.2, a DHCP DISCOVER answered by an OFFER, ten thousand ICMP echoes
# (64 in flight, two receiving threads) each answered once with no page
# leaked, and a burst of 4000 sends. Twice: a transitional card (1af4:1000)
# on four harts, a modern-only one (1af4:1041) on one hart.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo 1..10

ethernet_boot() {
	QEMU_EXTRA="-netdev user,id=n0 -device virtio-net-pci,netdev=n0$1" \
		boot_until '^ethtest: done, [0-9]+ failures' 180 --smp "$2" --mem 256M \
		--initrd build/archive.cpio --append programs=/etc/programs.ethernet
}

no_failure() { ! log_has '^ethtest: FAIL' && log_has '^ethtest: done, 0 failures'; }

ethernet_boot "" 4
check "transitional card, 4 harts: the driver publishes the door" \
	log_has '^virtio-net: function [0-9]+, 52:54:00:12:34:56, mtu 1500, 256 receive and 256 transmit buffers: Ethernet door published'
check "an ARP reply from 10.0.2.2, checked field by field" \
	log_has '^ethtest: ok 10.0.2.2 is at the sender.s MAC, told to 10.0.2.15 at ours'
check "a DHCP OFFER of 10.0.2.15" log_has '^ethtest: ok message type OFFER'
check "10000 echoes, each answered once" \
	log_has '^ethtest: ok 10000 replies, each sequence number once \(0 twice'
check "no page leaked" log_has '^ethtest: ok free pages [0-9]+ before and [0-9]+ after: none leaked'
check "every ethtest check passed (transitional card, 4 harts)" no_failure

ethernet_boot ",disable-legacy=on" 1
check "modern-only card, 1 hart: listed as 1af4:1041" \
	log_has '^pci 0000:00:[0-9a-f]{2}\.0 1af4:1041 class 02\.00\.00 network virtio '
check "the driver publishes the door" log_has '^virtio-net: function [0-9]+, .*Ethernet door published'
check "10000 echoes, each answered once" \
	log_has '^ethtest: ok 10000 replies, each sequence number once \(0 twice'
check "every ethtest check passed (modern card, 1 hart)" no_failure
