# programs/ethtest: the Ethernet door end to end on QEMU's user network
# (tests/ethernet.t, bench/ethernet-bench). Started with the driver, from
# its own list.
PROGRAMS += ethtest
ethtest_SRCS := programs/ethtest/ethtest.c

ARCHIVE_COMMANDS += programs/ethtest/archive.sh
ARCHIVE_DEPS += programs/ethtest/ethernet.list programs/ethtest/ethernet-broken.list
