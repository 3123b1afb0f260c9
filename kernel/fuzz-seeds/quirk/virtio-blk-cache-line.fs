\ quirk: set the virtio-blk function's cache line size before its driver starts
\ stage: programs
\ match: pci 1af4:1001
\ match: smbios.product lemmings-pci-poke
\
\ The shape of a PCI fix-up: find the function by its ids, write one
\ register of its configuration space (here the cache line size, offset
\ 0x0c, in 4-byte units: 16 is 64 bytes) and read it back. Matches only
\ the product name tests/quirks.t gives QEMU.
0x1af4 0x1001 pci-find
dup 0< if
  drop ." quirk virtio-blk-cache-line: no virtio-blk function" cr
else
  0x10 over 0x0c 1 pci-cfg!
  ." quirk virtio-blk-cache-line: PCI function " dup .
  ." cache line size now " 0x0c 1 pci-cfg@ . cr
then
