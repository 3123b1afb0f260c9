# hosted/: the portable core inside a Linux process.

# The runtime: the portable core and the services on Linux. Recursive (=),
# as services/module.mk is read after this file.
HOSTED_SRCS = hosted/platform.c hosted/runtime.c hosted/stack.c hosted/systab.c \
	hosted/progmem.c hosted/fault.c hosted/pack.c hosted/hart_stack.c \
	hosted/console.c hosted/net.c hosted/memory_door.c \
	hosted/runtab.c $(CORE_SRCS) \
	$(ARCH_HOSTED_SRCS) lib/fmt.c $(SERVICES_SRCS)

# lemmings-hosted itself: optimized, no sanitizers (it is what users run,
# and what the hosted benchmarks measure).
# (The link rule is in the Makefile, after every fragment is read.)
HOSTED_BIN := $(BUILD)/lemmings-hosted
HOSTED_BIN_SRCS = $(HOSTED_SRCS) hosted/main.c hosted/shell.c hosted/lang_mem.c $(LANG_SRCS) \
	$(SHELL_SRCS)

# Portable tests run in Lemmings threads under the hosted runtime.
HOSTED_TESTS += hosted_sched_test
hosted_sched_test_SRCS := core/sched_test.c

# The same tests with the benchmarks, built optimized without sanitizers:
# native figures for make bench.
HOSTED_BENCH := $(BUILD)/bench/hosted-sched-bench
BENCH_DEPS += $(HOSTED_BENCH)

# A million parked threads, and bytes per thread as Linux counts them.
HOSTED_TESTS += hosted_memory_test
hosted_memory_test_SRCS := hosted/memory_test.c

# The service doors, called as programs call them.
HOSTED_TESTS += hosted_services_test
hosted_services_test_SRCS := services/services_test.c

# The system table's shared routines, called as programs call them.
HOSTED_TESTS += hosted_systab_test
hosted_systab_test_SRCS := core/systab_test.c

# A faulting thread is stopped and the others go on.
HOSTED_TESTS += hosted_fault_test
hosted_fault_test_SRCS := hosted/fault_test.c

# Calls into libc run on the hart stack: a thread with 512 bytes of stack
# left calls every platform routine that reaches libc.
HOSTED_TESTS += hosted_hart_stack_test
hosted_hart_stack_test_SRCS := hosted/hart_stack_test.c

# A failed protect keeps Linux's reason.
HOSTED_TESTS += hosted_progmem_test
hosted_progmem_test_SRCS := hosted/progmem_test.c

# A folder packed as an archive keeps its symbolic links as links (a host
# unit test: it needs no Lemmings thread).
HOST_TESTS += hosted_pack_test
hosted_pack_test_SRCS := hosted/pack_test.c hosted/pack.c core/archive.c lib/fmt.c \
	lib/test.c lib/glob.c

# The Net door: sockets under threads that block.
HOSTED_TESTS += hosted_net_test
hosted_net_test_SRCS := hosted/net_test.c

# The hosted Memory door's table of runs: portable logic, a host unit test.
HOST_TESTS += runtab_test
runtab_test_SRCS := hosted/runtab_test.c hosted/runtab.c lib/test.c lib/glob.c

# The Memory door over mmap: the tests both homes share, and its own.
HOSTED_TESTS += hosted_memory_door_test
hosted_memory_door_test_SRCS := services/memory_test.c hosted/memory_door_test.c
