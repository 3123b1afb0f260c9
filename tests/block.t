#!/bin/sh
# Block: the virtio-blk driver program and the Block door, end to end on a
# raw 8 MiB image (docs/drivers.md, "virtio-blk and the Block door").
# programs/blktest, started with the driver from /etc/programs.blk-MODE,
# writes a pattern over the whole disk from 64 threads at once and flushes;
# QEMU is stopped; the image file is checked here against the same
# formula; a second boot on the same image reads it all back from 64
# threads and checks it. Then bad arguments and requests past the end, a
# read-only disk, and an I/O error the disk reports (QEMU's blkdebug) are
# each refused with their lm_err. Every wait is a liveness bound.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
dir=build/tests/block
img=$dir/disk.img
mkdir -p "$dir"
rm -f "$img"
truncate -s 8M "$img" || exit 1
disk="-drive file=$img,if=none,format=raw,id=d0 -device virtio-blk-pci,drive=d0"
done_pattern='^blktest: (all ok|[0-9]+ failed)'
echo 1..12

# run MODE [drive options]: boot with the driver and blktest MODE.
run() {
	mode=$1
	shift
	QEMU_EXTRA="$*" boot_until "$done_pattern" 180 --smp 2 --mem 512M \
		--initrd build/archive.cpio --append "programs=/etc/programs.blk-$mode"
}

no_failure() {
	log_has '^blktest: all ok' && ! log_has 'FAILED' && ! log_has '^virtio-blk: the device broke'
}

run write "$disk"
check "the driver finds the disk and publishes the Block door" \
	log_has '^virtio-blk: 16384 sectors of 512 bytes.*, queue of [0-9]+, [0-9]+ requests in flight at most, Block door published'
check "64 threads write the whole disk at once" \
	log_has '^blktest: 16384 sectors written by 64 threads at once .*: ok'
check "the write cache is flushed" log_has '^blktest: flush: ok'

# The image on the host, against the pattern: sector s, 64-bit
# little-endian word i is ((s << 8) | i) ^ 0x4c656d6d696e6773.
image_holds_pattern() {
	python3 - "$img" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
key = 0x4c656d6d696e6773
bad = [s for s in range(len(data) // 512)
       if struct.unpack_from('<64Q', data, s * 512) != tuple(((s << 8) | i) ^ key for i in range(64))]
if len(data) != 8 << 20 or bad:
    print('# %d bytes, %d bad sectors, first %s' % (len(data), len(bad), bad[:1]))
    sys.exit(1)
PY
}
check "the image file holds the pattern, every sector" image_holds_pattern

run verify "$disk"
check "a second boot reads the whole disk back from 64 threads and it matches" \
	log_has '^blktest: 16384 sectors read back by 64 threads at once match the pattern .*: ok'
check "nothing failed in the read-back boot" no_failure

run bad "$disk"
check "zero counts, sectors past the end and counts past max_count are refused" \
	log_has_all '^blktest: a read of zero sectors is refused with "invalid argument".*: ok
^blktest: a write running past the end is refused with "out of range".*: ok
^blktest: a read whose end wraps around is refused .*: ok
^blktest: a write of one sector more than max_count is refused .*: ok'
check "NULL, lower-half, wrapping and kernel-image buffers are refused" \
	log_has_all '^blktest: a read into NULL is refused with "bad address".*: ok
^blktest: a read into the lower half is refused .*: ok
^blktest: a read into a buffer that wraps around is refused .*: ok
^blktest: a write from the kernel image is refused .*: ok'
check "unmapped buffers, and read-only ones for a read, are refused" \
	log_has_all '^blktest: a read into unmapped memory is refused with "bad address".*: ok
^blktest: a write from unmapped memory is refused .*: ok
^blktest: a read into read-only memory \(program text\) is refused .*: ok'
check "the driver serves on after the refusals, and nothing failed" no_failure

run readonly "-drive file=$img,if=none,format=raw,id=d0,readonly=on -device virtio-blk-pci,drive=d0"
check "a write to a read-only disk is refused, a read works" no_failure

# blkdebug fails every read touching sector 100 with EIO; QEMU's default
# rerror=report hands the guest VIRTIO_BLK_S_IOERR.
printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "100"\n' >"$dir/ioerror.conf"
run ioerror "-drive file=blkdebug:$dir/ioerror.conf:$img,if=none,format=raw,id=d0 -device virtio-blk-pci,drive=d0"
check "an I/O error the device reports is an I/O error for the caller, and only that request" \
	log_has_all '^blktest: a read of sector 100 is refused with "I/O error".*: ok
^blktest: all ok'

