# programs/memtest: the SDK heap over the Memory door, end to end
# (tests/programs.sh). Started alone, from its own list.
PROGRAMS += memtest
memtest_SRCS := programs/memtest/memtest.c

ARCHIVE_COMMANDS += programs/memtest/archive.sh
ARCHIVE_DEPS += programs/memtest/memtest.list
