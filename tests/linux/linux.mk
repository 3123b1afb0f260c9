# tests/linux/: what tests/linux.t runs on Lemmings through the Linux
# personality (docs/linux.md): the tiny static Linux programs lx-*.c
# (no C library: lx.h is their runtime), the input files t/, and the
# busybox command lines (commands); archive.sh puts them, and the build
# machine's /bin/busybox, in the boot archive.

LX_CFLAGS := -O1 -g -ffreestanding -fno-stack-protector -fno-builtin -nostdlib -static \
	-Wall -Wextra -Werror -Wno-unused-parameter
LX_PROGRAMS := lx-auxv lx-auxv-pie lx-unknown lx-badptr lx-fault lx-files lx-getppid \
	lx-glibc-pie lx-pingpong lx-threads lx-signals lx-net lx-fuzz lx-fifo
LX_BINS := $(addprefix $(BUILD)/linux/,$(LX_PROGRAMS))

$(BUILD)/linux/lx-%: tests/linux/lx-%.c tests/linux/lx.h
	@mkdir -p $(@D)
	$(call say,LXCC,$<)
	$(Q)gcc $(LX_CFLAGS) -no-pie -fno-pie -o $@ $<

# The same program as a static position-independent executable.
$(BUILD)/linux/lx-auxv-pie: tests/linux/lx-auxv.c tests/linux/lx.h
	@mkdir -p $(@D)
	$(call say,LXCC,$<)
	$(Q)gcc $(LX_CFLAGS) -fpie -static-pie -o $@ $<

# With glibc this time: a static PIE that relocates itself.
$(BUILD)/linux/lx-glibc-pie: tests/linux/lx-glibc-pie.c
	@mkdir -p $(@D)
	$(call say,LXCC,$<)
	$(Q)gcc -O1 -g -static-pie -Wall -Wextra -Werror -o $@ $<

ARCHIVE_COMMANDS += tests/linux/archive.sh
ARCHIVE_DEPS += $(LX_BINS) tests/linux/commands tests/linux/list.sh $(wildcard tests/linux/t/*)
E2E_TESTS += tests/linux.t tests/linux-net.t
