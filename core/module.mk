# core/: the portable core, built into the kernel and into the hosted
# runtime alike. CORE_SRCS is the one list of its sources; kernel/ and
# hosted/ both link all of it.

CORE_SRCS := core/hart.c core/sched.c core/signal.c core/stack.c core/thread.c core/handle.c core/timer.c \
	core/hallway.c core/systab.c core/archive.c core/elf.c
KERNEL_SRCS += $(CORE_SRCS) core/sched_test.c core/sched_bench.c core/hallway_test.c \
	core/door_bench.c core/systab_test.c

HOST_TESTS += hallway_test
hallway_test_SRCS := core/hallway.c core/hallway_test.c core/hallway_host_test.c \
	hosted/platform.c lib/test.c lib/glob.c

HOST_TESTS += hallway_full_test
hallway_full_test_SRCS := core/hallway.c core/hallway_full_test.c hosted/platform.c \
	lib/test.c lib/glob.c
