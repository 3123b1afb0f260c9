# programs/linux-bench: tiny static Linux programs (no C library) for the
# Linux personality's benchmarks (kernel/linux/linux_bench.c), built with
# the host's compiler as Linux executables at 0x400000, into the boot
# archive's /bin.

LINUX_BENCH_BINS := $(BUILD)/linux-bench/lx-pingpong

$(BUILD)/linux-bench/%: programs/linux-bench/%.c
	@mkdir -p $(@D)
	$(call say,LXCC,$<)
	$(Q)gcc -std=gnu17 -O2 -static -nostdlib -ffreestanding -fno-pie -no-pie \
		-fno-stack-protector -fcf-protection=none -Wl,--build-id=none -o $@ $<

ARCHIVE_COMMANDS += programs/linux-bench/archive.sh
ARCHIVE_DEPS += $(LINUX_BENCH_BINS)
