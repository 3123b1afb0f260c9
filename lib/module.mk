# lib/: the freestanding C library shared by the kernel, programs and the
# host build (formatting, glob matching, the unit-test framework, strings).

KERNEL_SRCS += lib/fmt.c lib/glob.c lib/string.c lib/test.c

HOST_TESTS += lib_test
lib_test_SRCS := lib/fmt.c lib/fmt_test.c lib/glob.c lib/glob_test.c lib/test.c
