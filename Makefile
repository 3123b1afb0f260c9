# Lemmings build.
#
# One Makefile for the whole tree. Every folder that builds something has a
# *.mk fragment (module.mk, or one per concept) that appends to the lists below; this file holds the
# toolchains and the generic rules. Nothing is built in the source tree: all
# output goes to build/.
#
#   make            kernel image, boot archive and host tools
#   make run        boot in QEMU (SMP=4 MEM=2G by default), console here
#   make debug      the same, with QEMU's GDB stub waiting on :1234
#   CMDLINE="..."   boot options for run/debug (boot with "help" to list them)
#   make check      every test (host unit tests, kernel tests, end to end)
#   make bench      benchmarks, printing BENCH lines
#   make fuzz       libFuzzer targets (FUZZ_RUNS inputs each)
#   make clean      remove build/

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

BUILD := build

# The architecture: arch/$(ARCH)/ holds what only it does, and its headers,
# arch/$(ARCH)/include/arch/*.h, are what everything else includes as
# "arch/name.h" (docs/architecture.md lists them).
ARCH := x86_64
ARCH_INC := -Iarch/$(ARCH)/include

# Quiet by default; `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2)
endif
SMP ?= 4
MEM ?= 2G
CMDLINE ?=
# The devices `make run` and `make debug` give the machine: a virtio network
# card on QEMU's user network (10.0.2.0/24, nothing reachable but this
# machine and what QEMU forwards) and a virtio disk, the image DISK (made
# by the build at DISK_SIZE if it is not there; kept across runs, so what
# a run writes is there on the next). RUN_DEVICES= boots without them.
DISK ?= $(BUILD)/disk.img
DISK_SIZE ?= 16M
# The guest's port 80 (httpd, started by programs/net) is forwarded from
# 127.0.0.1:HTTP_PORT of this machine; `make run` prints the URL.
HTTP_PORT ?= 8080
RUN_DEVICES ?= -netdev user,id=net0,hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80 -device virtio-net-pci,netdev=net0 \
	-drive file=$(DISK),if=none,format=raw,id=disk0 -device virtio-blk-pci,drive=disk0
FUZZ_RUNS ?= 1000000

# ---------------------------------------------------------------- toolchains

# The kernel: freestanding gnu17, no SSE in kernel code (so that an interrupt
# never has to save vector state it did not need), frame pointers everywhere
# for backtraces, -2 GiB code model for a higher-half image. Jump targets and
# loops are not padded to 16 bytes (as Linux builds x86-64): the padding was a
# tenth of the scheduler's fast paths, which must fit one page (core/sched.h).
KCC := gcc
KLD := ld
KCFLAGS := -std=gnu17 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(KCC) -print-file-name=include) \
	-fno-stack-protector -fno-pic -fno-pie -fno-common \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -falign-jumps=1 -falign-loops=1 \
	-fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter \
	-I. $(ARCH_INC) -Isdk/include -I$(BUILD)/gen -DLM_KERNEL -MMD -MP
KASFLAGS := -g -I. $(ARCH_INC) -Isdk/include -I$(BUILD)/gen -DLM_KERNEL -MMD -MP
KLDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# Host code: the same portable sources, built with the sanitizers for tests.
HCC := gcc
HCFLAGS := -std=gnu17 -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-I. $(ARCH_INC) -Isdk/include -I$(BUILD)/gen -DLM_HOSTED -MMD -MP
HLDFLAGS := -fsanitize=address,undefined -pthread

# Native benchmarks of the portable core: optimized, no sanitizers.
BCFLAGS := -std=gnu17 -O2 -g -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Wshadow -Wno-unused-parameter -I. $(ARCH_INC) -Isdk/include -I$(BUILD)/gen -DLM_HOSTED -MMD -MP

# Host tools (idlc and friends) are built plainly: they run during the build.
TCC := gcc
TCFLAGS := -std=gnu17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-I. $(ARCH_INC) -Isdk/include -I$(BUILD)/gen -DLM_HOSTED -MMD -MP

# Fuzzers: clang with libFuzzer and AddressSanitizer.
FCC := clang
FCFLAGS := -std=gnu17 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
	-I. $(ARCH_INC) -Isdk/include -I$(BUILD)/gen -DLM_HOSTED -DLM_FUZZ -MMD -MP

# ---------------------------------------------------------------- module lists

KERNEL_SRCS :=       # .c and .S files linked into the kernel
HOST_TESTS :=        # names; <name>_SRCS lists the sources of each
HOSTED_TESTS :=      # like HOST_TESTS, run in Lemmings threads (hosted/)
FUZZERS :=           # names; <name>_SRCS lists the sources of each
TOOLS :=             # names; <name>_SRCS lists the sources of each
CHECK_DEPS :=        # what `make check` needs built first
E2E_TESTS :=         # prove scripts (tests/*.t and friends)
BENCHES :=           # commands run by `make bench`
BENCH_DEPS :=        # what `make bench` needs built first
PROGRAMS :=          # programs for the boot archive (sdk/module.mk)
ARCHIVE_COMMANDS :=  # run with the archive's folder as argument, to add files
ARCHIVE_DEPS :=      # what those commands read

# Every folder's fragments, but of arch/ only this architecture's.
include $(sort $(filter-out arch/%,$(wildcard */*.mk */*/*.mk */*/*/*.mk)) $(wildcard arch/$(ARCH)/*.mk))

# ---------------------------------------------------------------- generic rules

kobj = $(patsubst %,$(BUILD)/kernel/%.o,$(basename $(1)))
hobj = $(patsubst %,$(BUILD)/host/%.o,$(basename $(1)))
fobj = $(patsubst %,$(BUILD)/fuzz/%.o,$(basename $(1)))
tobj = $(patsubst %,$(BUILD)/tool/%.o,$(basename $(1)))

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.S
	@mkdir -p $(@D)
	$(call say,HOSTAS,$<)
	$(Q)$(HCC) -g -I. $(ARCH_INC) -MMD -MP -c $< -o $@

$(BUILD)/bench/obj/%.o: %.S
	@mkdir -p $(@D)
	$(call say,BENCHAS,$<)
	$(Q)$(HCC) -g -I. $(ARCH_INC) -MMD -MP -c $< -o $@

$(BUILD)/bench/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,BENCHCC,$<)
	$(Q)$(HCC) $(BCFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HCC) $(HCFLAGS) -c $< -o $@

$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(call say,FUZZCC,$<)
	$(Q)$(FCC) $(FCFLAGS) -c $< -o $@

$(BUILD)/tool/%.o: %.c
	@mkdir -p $(@D)
	$(call say,TOOLCC,$<)
	$(Q)$(TCC) $(TCFLAGS) -c $< -o $@

# Host unit tests: each is linked with the test framework (lib/test.c, with
# lib/fmt.c and lib/glob.c, unless its own list names them) and the TAP
# runner in lib/test_host.c.
TEST_FRAMEWORK_SRCS := lib/test.c lib/fmt.c lib/glob.c
define host_test_rule
$(BUILD)/tests/$(1): $(call hobj,$($(1)_SRCS) $(filter-out $($(1)_SRCS),$(TEST_FRAMEWORK_SRCS)) lib/test_host.c)
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$(Q)$(HCC) $(HLDFLAGS) $$^ -o $$@
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

# Hosted tests switch stacks under the sanitizer's feet, which
# AddressSanitizer does not follow (it would need fiber annotations on every
# switch); they get UndefinedBehaviorSanitizer only. The same portable code
# runs under AddressSanitizer in the ordinary host tests.
HOSTED_CFLAGS := $(filter-out -fsanitize=address%,$(HCFLAGS)) -fsanitize=undefined
xobj = $(patsubst %,$(BUILD)/hosted/%.o,$(basename $(1)))
bobj = $(patsubst %,$(BUILD)/bench/obj/%.o,$(basename $(1)))

$(BUILD)/hosted/%.o: %.c
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HCC) $(HOSTED_CFLAGS) -c $< -o $@

$(BUILD)/hosted/%.o: %.S
	@mkdir -p $(@D)
	$(call say,HOSTAS,$<)
	$(Q)$(HCC) -g -I. $(ARCH_INC) -MMD -MP -c $< -o $@

define hosted_test_rule
$(BUILD)/tests/$(1): $(call xobj,$($(1)_SRCS) $(HOSTED_SRCS) hosted/test_main.c lib/test.c lib/glob.c)
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$(Q)$(HCC) -pthread -fsanitize=undefined -Wl,-z,now $$^ -o $$@
endef
$(foreach t,$(HOSTED_TESTS),$(eval $(call hosted_test_rule,$(t))))

HOSTED_BENCH_SRCS = core/sched_test.c core/sched_bench.c core/door_bench.c hosted/memory_test.c \
	services/loader_bench.c hosted/test_main.c lib/test.c lib/glob.c
$(HOSTED_BENCH): $(call bobj,$(HOSTED_SRCS) $(HOSTED_BENCH_SRCS))
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(HCC) -pthread -Wl,-z,now $^ -o $@

$(HOSTED_BIN): $(call bobj,$(HOSTED_BIN_SRCS))
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(HCC) -pthread -Wl,-z,now $^ -o $@

define fuzzer_rule
$(BUILD)/fuzz/$(1): $(call fobj,$($(1)_SRCS))
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$(Q)$(FCC) -fsanitize=fuzzer,address,undefined $$^ -o $$@
endef
$(foreach t,$(FUZZERS),$(eval $(call fuzzer_rule,$(t))))

define tool_rule
$(BUILD)/tools/$(1): $(call tobj,$($(1)_SRCS))
	@mkdir -p $$(@D)
	$$(call say,LINK,$$@)
	$(Q)$(TCC) $$^ -o $$@
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# ---------------------------------------------------------------- kernel image

KERNEL := $(BUILD)/lemmings.elf
KERNEL_LDS := arch/$(ARCH)/kernel.ld
KERNEL_OBJS := $(call kobj,$(KERNEL_SRCS))

# Two links: the first with an empty symbol table, whose text symbols then
# become the table of the second. Text addresses do not move in between
# (the table sits at the end of rodata); tools/check-image verifies the
# a.out-kludge layout that QEMU's Multiboot loader needs.
$(BUILD)/kernel/ksyms-empty.S:
	@mkdir -p $(@D)
	@printf '\t.section .ksyms, "a"\n\t.balign 8\n\t.global ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names\nksyms_count:\n\t.quad 0\nksyms_addrs:\nksyms_name_offsets:\nksyms_names:\n' > $@

$(BUILD)/kernel/%.o: $(BUILD)/kernel/%.S
	$(call say,AS,$<)
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

# The kernel's object list as a file, rewritten only when the list changes,
# so that dropping a source relinks both passes (a removed object makes no
# prerequisite newer).
$(BUILD)/kernel/objects.list: FORCE
	@mkdir -p $(@D)
	@echo '$(KERNEL_OBJS)' | cmp -s - $@ || echo '$(KERNEL_OBJS)' > $@

FORCE:

$(BUILD)/lemmings.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms-empty.o $(KERNEL_LDS) \
		$(BUILD)/kernel/objects.list
	$(call say,LD,$@)
	$(Q)$(KLD) $(KLDFLAGS) -T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms-empty.o

$(BUILD)/kernel/ksyms.S: $(BUILD)/lemmings.pass1.elf tools/ksyms
	$(call say,KSYMS,$@)
	$(Q)tools/ksyms $< > $@

$(KERNEL): $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o $(KERNEL_LDS) tools/check-image \
		$(BUILD)/kernel/objects.list
	$(call say,LD,$@)
	$(Q)$(KLD) $(KLDFLAGS) -T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.o
	$(Q)tools/check-image $@
	@nm -n $(BUILD)/lemmings.pass1.elf | grep ' [tT] ' > $(BUILD)/kernel/text1.syms
	@nm -n $@ | grep ' [tT] ' > $(BUILD)/kernel/text2.syms
	@cmp -s $(BUILD)/kernel/text1.syms $(BUILD)/kernel/text2.syms || \
		{ echo "kernel: code moved between the two links; symbols would be wrong" >&2; rm -f $@; exit 1; }

# ---------------------------------------------------------------- programs

$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))
PROGRAM_BINS := $(addprefix $(BUILD)/programs/,$(PROGRAMS))

# Door headers generated from the IDL (tools/idlc) exist before anything
# that may include them is compiled; after that, dependency files take over.
$(KERNEL_OBJS) $(call pobj,$(SDK_SRCS)) $(foreach p,$(PROGRAMS),$(call pobj,$($(p)_SRCS)) $($(p)_EXTRA_OBJS)) \
	$(call xobj,$(HOSTED_SRCS) $(foreach t,$(HOSTED_TESTS),$($(t)_SRCS))) \
	$(call bobj,$(HOSTED_BIN_SRCS) $(HOSTED_BENCH_SRCS)) \
	$(call hobj,$(foreach t,$(HOST_TESTS),$($(t)_SRCS))) \
	$(UNTRUSTED_C_OBJS): | $(IDL_HEADERS) $(PROGRAM_IDL_HEADERS) $(DOOR_CATALOG)

# The boot archive: a cpio (newc) image, as Linux's initramfs, passed to the
# kernel as a Multiboot module. init goes to /init, other programs to /bin,
# the list of programs init starts to /etc/programs. For the end-to-end tests
# (boot option programs=/etc/programs.test) it also holds a truncated copy of
# a program, /bin/truncated, which the loader must refuse with a reason, and
# a list with CRLF line ends and a NUL byte (/etc/programs.messy). Each of
# ARCHIVE_COMMANDS then adds what its module serves (httpd's /www).
ARCHIVE := $(BUILD)/archive.cpio
$(ARCHIVE): $(PROGRAM_BINS) programs/init.list programs/test.list $(ARCHIVE_COMMANDS) $(ARCHIVE_DEPS)
	$(call say,CPIO,$@)
	$(Q)rm -rf $(BUILD)/archive && mkdir -p $(BUILD)/archive/bin $(BUILD)/archive/etc
	$(Q)cp $(filter-out %/init,$(PROGRAM_BINS)) $(BUILD)/archive/bin/
	$(Q)cp $(BUILD)/programs/init $(BUILD)/archive/init
	$(Q)cp programs/init.list $(BUILD)/archive/etc/programs
	$(Q)cp programs/test.list $(BUILD)/archive/etc/programs.test
	$(Q)printf '/bin/hello crlf\r\n/bin/hello nul\000byte\n/bin/hello after-nul\r\n' \
		> $(BUILD)/archive/etc/programs.messy
	$(Q)head -c 300 $(BUILD)/programs/hello > $(BUILD)/archive/bin/truncated
	$(Q)$(foreach c,$(ARCHIVE_COMMANDS),$(c) $(BUILD)/archive &&) true
	$(Q)cd $(BUILD)/archive && find . -mindepth 1 | LC_ALL=C sort | \
		cpio -o -H newc --quiet > ../archive.cpio.tmp && mv ../archive.cpio.tmp ../archive.cpio

HOST_TEST_BINS := $(addprefix $(BUILD)/tests/,$(HOST_TESTS) $(HOSTED_TESTS))
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZERS))
TOOL_BINS := $(addprefix $(BUILD)/tools/,$(TOOLS))

# ---------------------------------------------------------------- top targets

.PHONY: FORCE all deps run run-devices debug check check-run bench bench-run fuzz clean

all: $(KERNEL) $(TOOL_BINS) $(PROGRAM_BINS) $(ARCHIVE) $(HOSTED_BIN)

# The user-facing targets first make sure the tools exist (tools/deps), then
# build and run in a second make, so that nothing is compiled before that.
deps:
	@tools/deps

run: deps
	@$(MAKE) --no-print-directory all $(if $(RUN_DEVICES),$(DISK))
	@case "$(RUN_DEVICES)" in *hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80*) \
		echo "run: httpd will answer at http://127.0.0.1:$(HTTP_PORT)/ once the guest has booted" ;; esac
	tools/qemu-run --smp $(SMP) --mem $(MEM) --append "$(CMDLINE)" --initrd $(ARCHIVE) -- $(RUN_DEVICES)

debug: deps
	@$(MAKE) --no-print-directory all $(if $(RUN_DEVICES),$(DISK))
	@echo "In another terminal: gdb -ex 'target remote :1234' $(KERNEL)"
	tools/qemu-run --smp $(SMP) --mem $(MEM) --append "$(CMDLINE)" --initrd $(ARCHIVE) --gdb -- $(RUN_DEVICES)

# The disk make run gives the machine: zeroes, sparse, made once.
$(DISK):
	@mkdir -p $(dir $@)
	truncate -s $(DISK_SIZE) $@

# The devices make run gives, for tests/boot.t to boot with the same.
run-devices:
	@echo $(RUN_DEVICES)

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(HOST_TEST_BINS) $(CHECK_DEPS)
	prove --exec '' $(HOST_TEST_BINS) $(E2E_TESTS)

bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(BENCH_DEPS)
	@set -e; $(foreach b,$(BENCHES),$(b);)

fuzz: $(FUZZ_BINS)
	@set -e; $(foreach f,$(FUZZERS),\
		echo "fuzz: $(f), $(FUZZ_RUNS) runs"; mkdir -p $(BUILD)/corpus/$(f); \
		$(BUILD)/fuzz/$(f) -runs=$(FUZZ_RUNS) -timeout=10 -print_final_stats=1 \
			$(BUILD)/corpus/$(f) $($(f)_CORPUS) 2>&1 | grep -E 'Done|stat::number_of_executed_units|ERROR' ;)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
