# services/: the system's own doors (threads, timer, harts, boot archive,
# loader), built into the kernel and into the hosted runtime.

SERVICES_SRCS := services/service.c services/services.c services/threads.c services/timer.c \
	services/harts.c services/archive.c services/loader.c
KERNEL_SRCS += $(SERVICES_SRCS) services/services_test.c services/memory_test.c services/loader_bench.c \
	services/loader_test.c

# The init language's shell and its calls of doors by name (services/shell.h),
# for the kernel's console and lemmings-hosted's standard input.
SHELL_SRCS := services/shell.c services/doorcall.c lang/lineedit.c
KERNEL_SRCS += $(SHELL_SRCS)
