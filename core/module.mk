# core/: the portable core, built into the kernel and the hosted runtime.

CORE_SRCS := core/cmdline.c core/hallway.c core/hart.c core/sched.c core/events.c core/thread.c core/timer.c
KERNEL_SRCS += core/sched_test.c core/sched_bench.c core/hallway_test.c core/door_bench.c
KERNEL_SRCS += $(CORE_SRCS)

HOST_TESTS += cmdline_test
cmdline_test_SRCS := core/cmdline.c core/cmdline_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += cmdline_fuzz
cmdline_fuzz_SRCS := core/cmdline.c core/cmdline_fuzz.c lib/fmt.c
cmdline_fuzz_CORPUS := core/fuzz-seeds/cmdline

HOST_TESTS += hallway_test
hallway_test_SRCS := core/hallway.c core/hallway_test.c core/hallway_host_test.c \
	hosted/platform.c lib/test.c lib/glob.c

HOST_TESTS += hallway_full_test
hallway_full_test_SRCS := core/hallway.c core/hallway_full_test.c hosted/platform.c \
	lib/test.c lib/glob.c
