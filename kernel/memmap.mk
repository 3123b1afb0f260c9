# kernel/memmap: resolving the boot loader's memory map, tested and fuzzed
# on the host (the kernel links it from kernel/module.mk).

HOST_TESTS += memmap_test
memmap_test_SRCS := kernel/memmap.c kernel/memmap_check.c kernel/memmap_test.c lib/fmt.c \
	lib/test.c lib/glob.c

FUZZERS += memmap_fuzz
memmap_fuzz_SRCS := kernel/memmap.c kernel/memmap_check.c kernel/memmap_fuzz.c lib/fmt.c
memmap_fuzz_CORPUS := kernel/fuzz-seeds/memmap
