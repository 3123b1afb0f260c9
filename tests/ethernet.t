#!/bin/sh
# The virtio-net driver (programs/virtio-net) and the Ethernet door, on
# QEMU's user network (slirp; nothing leaves the machine): programs/ethtest
# checks the door's info and refusals (unmapped and read-only buffers
# among them), an ARP exchange with the gateway
# 10.0.2.2, a DHCP DISCOVER answered by an OFFER, ten thousand ICMP echoes
# (64 in flight, two receiving threads) each answered once with no page
# leaked, and a burst of 4000 sends. Twice: a transitional card (1af4:1000)
# on four harts, a modern-only one (1af4:1041) on one hart. Then a device
# that breaks (the driver, started as virtio-net hostile=3, makes its used
# index jump after three frames, as a broken device would: vnet_hostile.c): the
# driver says so once, and the door fails every call with an I/O error.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo 1..15

ethernet_boot() {
	QEMU_EXTRA="-netdev user,id=n0 -device virtio-net-pci,netdev=n0$1" \
		boot_until '^ethtest: done, [0-9]+ failures' 180 --smp "$2" --mem 256M \
		--initrd build/archive.cpio --append "programs=/etc/programs.ethernet${3:-}"
}

no_failure() { ! log_has '^ethtest: FAIL' && log_has '^ethtest: done, 0 failures'; }

ethernet_boot "" 4
check "transitional card, 4 harts: the driver publishes the door" \
	log_has '^virtio-net: function [0-9]+, 52:54:00:12:34:56, mtu 1500, 256 receive and 256 transmit buffers: Ethernet door published'
check "an ARP reply from 10.0.2.2, checked field by field" \
	log_has '^ethtest: ok 10.0.2.2 is at the sender.s MAC, told to 10.0.2.15 at ours'
check "a DHCP OFFER of 10.0.2.15" log_has '^ethtest: ok message type OFFER'
check "unmapped and read-only buffers are refused with a fault error" \
	log_has '^ethtest: ok receive into read-only memory \(program text\): a fault refused'
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

ethernet_boot "" 2 -broken
check "a device that breaks: the driver says so in one line" \
	log_has '^virtio-net: the device misbehaved \(used index ran past the published chains\); the driver stops using it'
check "the door then fails with an I/O error" log_has '^ethtest: ok after [0-9]+ exchanges the door says: I/O error'
check "the link is down and the refused calls are counted" \
	log_has '^ethtest: ok info then: the link is down' \
	&& log_has '^ethtest: ok the counters count the refused calls'
check "every ethtest check passed (a device that breaks), and nothing faulted" \
	eval 'no_failure && ! log_has "stopped on hart|double fault|[Pp]anic"'
