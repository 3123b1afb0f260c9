# programs/blktest: the Block door end to end (tests/block.t) and its
# benchmark (bench/block-bench), started with programs/virtio-blk from one
# of the lists in blktest.list.
PROGRAMS += blktest
blktest_SRCS := programs/blktest/blktest.c

ARCHIVE_COMMANDS += programs/blktest/archive.sh
