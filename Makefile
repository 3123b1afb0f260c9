# Lemmings build.
#
# One Makefile for the whole tree. Every folder that builds something has a
# module.mk fragment that appends to the lists below; this file holds the
# toolchains and the generic rules. Nothing is built in the source tree: all
# output goes to build/.
#
#   make            kernel image, boot archive and host tools
#   make run        boot in QEMU (SMP=4 MEM=2G by default), console here
#   make debug      the same, with QEMU's GDB stub waiting on :1234
#   make check      every test (host unit tests, kernel tests, end to end)
#   make bench      benchmarks, printing BENCH lines
#   make fuzz       libFuzzer targets (FUZZ_RUNS inputs each)
#   make clean      remove build/

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

BUILD := build
SMP ?= 4
MEM ?= 2G
CMDLINE ?=
FUZZ_RUNS ?= 1000000

# ---------------------------------------------------------------- toolchains

# The kernel: freestanding gnu17, no SSE in kernel code (so that an interrupt
# never has to save vector state it did not need), frame pointers everywhere
# for backtraces, -2 GiB code model for a higher-half image.
KCC := gcc
KLD := ld
KCFLAGS := -std=gnu17 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(KCC) -print-file-name=include) \
	-fno-stack-protector -fno-pic -fno-pie -fno-common \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter \
	-I. -Isdk/include -DLM_KERNEL -MMD -MP
KASFLAGS := -g -I. -Isdk/include -DLM_KERNEL -MMD -MP
KLDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# Host code: the same portable sources, built with the sanitizers for tests.
HCC := gcc
HCFLAGS := -std=gnu17 -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-I. -Isdk/include -DLM_HOSTED -MMD -MP
HLDFLAGS := -fsanitize=address,undefined

# Host tools (idlc and friends) are built plainly: they run during the build.
TCC := gcc
TCFLAGS := -std=gnu17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-I. -Isdk/include -DLM_HOSTED -MMD -MP

# Fuzzers: clang with libFuzzer and AddressSanitizer.
FCC := clang
FCFLAGS := -std=gnu17 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
	-I. -Isdk/include -DLM_HOSTED -DLM_FUZZ -MMD -MP

# ---------------------------------------------------------------- module lists

KERNEL_SRCS :=       # .c and .S files linked into the kernel
HOST_TESTS :=        # names; <name>_SRCS lists the sources of each
FUZZERS :=           # names; <name>_SRCS lists the sources of each
TOOLS :=             # names; <name>_SRCS lists the sources of each
CHECK_DEPS :=        # what `make check` needs built first
E2E_TESTS :=         # prove scripts (tests/*.t and friends)
BENCHES :=           # commands run by `make bench`

include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))

# ---------------------------------------------------------------- generic rules

kobj = $(patsubst %,$(BUILD)/kernel/%.o,$(basename $(1)))
hobj = $(patsubst %,$(BUILD)/host/%.o,$(basename $(1)))
fobj = $(patsubst %,$(BUILD)/fuzz/%.o,$(basename $(1)))
tobj = $(patsubst %,$(BUILD)/tool/%.o,$(basename $(1)))

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S
	@mkdir -p $(@D)
	$(KCC) $(KASFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(HCC) $(HCFLAGS) -c $< -o $@

$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FCC) $(FCFLAGS) -c $< -o $@

$(BUILD)/tool/%.o: %.c
	@mkdir -p $(@D)
	$(TCC) $(TCFLAGS) -c $< -o $@

# Host unit tests: each is linked with the TAP runner in lib/test_host.c.
define host_test_rule
$(BUILD)/tests/$(1): $(call hobj,$($(1)_SRCS) lib/test_host.c)
	@mkdir -p $$(@D)
	$(HCC) $(HLDFLAGS) $$^ -o $$@
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

define fuzzer_rule
$(BUILD)/fuzz/$(1): $(call fobj,$($(1)_SRCS))
	@mkdir -p $$(@D)
	$(FCC) -fsanitize=fuzzer,address,undefined $$^ -o $$@
endef
$(foreach t,$(FUZZERS),$(eval $(call fuzzer_rule,$(t))))

define tool_rule
$(BUILD)/tools/$(1): $(call tobj,$($(1)_SRCS))
	@mkdir -p $$(@D)
	$(TCC) $$^ -o $$@
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

HOST_TEST_BINS := $(addprefix $(BUILD)/tests/,$(HOST_TESTS))
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZERS))
TOOL_BINS := $(addprefix $(BUILD)/tools/,$(TOOLS))

# ---------------------------------------------------------------- top targets

.PHONY: all deps run debug check check-host check-kernel bench fuzz clean

all: $(KERNEL) $(TOOL_BINS)

deps:
	@tools/deps

run: deps all
	tools/qemu-run --smp $(SMP) --mem $(MEM) --append "$(CMDLINE)"

debug: deps all
	@echo "Attach with: gdb -ex 'target remote :1234' $(KERNEL)"
	tools/qemu-run --smp $(SMP) --mem $(MEM) --append "$(CMDLINE)" --gdb

check: deps all $(HOST_TEST_BINS) $(CHECK_DEPS)
	prove --exec '' $(HOST_TEST_BINS) $(E2E_TESTS)

bench: deps all $(BENCH_DEPS)
	@set -e; $(foreach b,$(BENCHES),$(b);)

fuzz: $(FUZZ_BINS)
	@set -e; $(foreach f,$(FUZZERS),\
		echo "fuzz: $(f), $(FUZZ_RUNS) runs"; mkdir -p $(BUILD)/corpus/$(f); \
		$(BUILD)/fuzz/$(f) -runs=$(FUZZ_RUNS) -timeout=10 -print_final_stats=1 \
			$(BUILD)/corpus/$(f) $($(f)_CORPUS) 2>&1 | grep -E 'Done|stat::number_of_executed_units|ERROR' ;)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
