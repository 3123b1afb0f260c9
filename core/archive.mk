# core/archive: the boot archive's cpio (newc) reader, its tests and fuzzer.
# The lead engineer adds core/archive.c to the kernel and hosted sources.

HOST_TESTS += archive_test
archive_test_SRCS := core/archive.c core/archive_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += archive_fuzz
archive_fuzz_SRCS := core/archive.c core/archive_fuzz.c lib/fmt.c
archive_fuzz_CORPUS := core/fuzz-seeds/archive
