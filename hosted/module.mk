# hosted/: the portable core inside a Linux process.

HOSTED_SRCS := hosted/platform.c hosted/runtime.c hosted/stack.c \
	core/sched.c core/timer.c core/hart.c core/hallway.c \
	arch/x86_64/switch.S arch/x86_64/context.c lib/fmt.c lib/glob.c lib/test.c

# Portable tests run in Lemmings threads under the hosted runtime.
HOSTED_TESTS += hosted_sched_test
hosted_sched_test_SRCS := core/sched_test.c

# The same tests with the benchmarks, built optimized without sanitizers:
# native figures for make bench.
HOSTED_BENCH := $(BUILD)/bench/hosted-sched-bench
BENCH_DEPS += $(HOSTED_BENCH)
BENCHES += $(HOSTED_BENCH) 'bench.*'

# A million parked threads, and bytes per thread as Linux counts them.
HOSTED_TESTS += hosted_memory_test
hosted_memory_test_SRCS := hosted/memory_test.c
