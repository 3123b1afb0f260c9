# core/elf: the ELF64 program loader, its tests and fuzzer.
# The lead engineer adds core/elf.c to the kernel and hosted sources.

HOST_TESTS += elf_test
elf_test_SRCS := core/elf.c core/elf_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += elf_fuzz
elf_fuzz_SRCS := core/elf.c core/elf_fuzz.c lib/fmt.c
elf_fuzz_CORPUS := core/fuzz-seeds/elf
