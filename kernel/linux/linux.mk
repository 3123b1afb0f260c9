# kernel/linux/: the Linux personality (docs/linux.md): static x86-64 Linux
# programs as untrusted processes, their system calls served in the kernel.

KERNEL_SRCS += kernel/linux/syscall.c kernel/linux/proc.c kernel/linux/user.c kernel/linux/load.c \
	kernel/linux/fd.c kernel/linux/vfs.c kernel/linux/archfs.c kernel/linux/tmpfs.c \
	kernel/linux/dev.c kernel/linux/mem.c kernel/linux/misc.c kernel/linux/linux_bench.c kernel/linux/linux_ktest.c \
	kernel/linux/family.c kernel/linux/pipe.c kernel/linux/futex.c kernel/linux/linux_sh_test.c \
	kernel/linux/words.c kernel/linux/elfplan.c kernel/linux/stack.c kernel/linux/path.c \
	kernel/linux/signal.c kernel/linux/sigframe.c kernel/linux/socket.c kernel/linux/poll.c kernel/linux/alarm.c

# The portable parts on the host: words, ELF plans, the initial stack, paths.
LINUX_PURE_SRCS := kernel/linux/words.c kernel/linux/elfplan.c kernel/linux/stack.c \
	kernel/linux/path.c kernel/linux/sigframe.c

HOST_TESTS += linux_test
linux_test_SRCS := $(LINUX_PURE_SRCS) kernel/linux/linux_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += linux_fuzz
linux_fuzz_SRCS := $(LINUX_PURE_SRCS) kernel/linux/linux_fuzz.c
linux_fuzz_CORPUS := kernel/fuzz-seeds/linux

E2E_TESTS += tests/linux-fuzz.t
CHECK_DEPS += $(BUILD)/fuzz/linux_fuzz

# busybox sh under the personality against the host's busybox (needs
# busybox-static on the host; skipped without it).
E2E_TESTS += tests/linux-sh.t
