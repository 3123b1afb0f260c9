# sdk/: what programs are built with: public headers, a small C library,
# start-up code and a linker script. Programs are position-independent
# executables with only relative relocations, for the loader to place
# anywhere in the shared address space.

PCC := gcc
PCFLAGS := -std=gnu17 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(PCC) -print-file-name=include) \
	-Isdk/libc/include -Isdk/include -I$(BUILD)/gen -I. \
	-fpie -fno-plt -fvisibility=hidden -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP
PLDFLAGS := -pie --no-dynamic-linker -nostdlib -z max-page-size=4096 -z norelro \
	-z noexecstack --hash-style=sysv -T sdk/program.ld

SDK_SRCS := sdk/libc/start.c sdk/libc/stdio.c sdk/libc/malloc.c sdk/libc/lock.c sdk/libc/clock.c lib/fmt.c lib/string.c
SDK_LIB := $(BUILD)/sdk/libsdk.a
pobj = $(patsubst %,$(BUILD)/prog/%.o,$(basename $(1)))

$(BUILD)/prog/%.o: %.c
	@mkdir -p $(@D)
	$(call say,PROGCC,$<)
	$(Q)$(PCC) $(PCFLAGS) -c $< -o $@

$(SDK_LIB): $(call pobj,$(SDK_SRCS))
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# PROGRAMS += name, with name_SRCS: build/programs/name, in the boot archive
# as /bin/name. name_EXTRA_OBJS: objects built by rules of the program's own
# (programs/net's lwIP).
define program_rule
$(BUILD)/programs/$(1): $(call pobj,$($(1)_SRCS)) $($(1)_EXTRA_OBJS) $(SDK_LIB) sdk/program.ld tools/check-program
	@mkdir -p $$(@D)
	$$(call say,PROGLD,$$@)
	$(Q)ld $(PLDFLAGS) -o $$@ $(call pobj,$($(1)_SRCS)) $($(1)_EXTRA_OBJS) $(SDK_LIB)
	$(Q)tools/check-program $$@
endef

# A program's own interfaces: programs/<name>/<stem>.idl gives
# build/gen/lemmings/<stem>.h, as the system's do (tools/idlc/module.mk).
PROGRAM_IDLS := $(wildcard programs/*/*.idl)
PROGRAM_IDL_HEADERS := $(foreach f,$(PROGRAM_IDLS),$(BUILD)/gen/lemmings/$(basename $(notdir $(f))).h)
define program_idl_rule
$(BUILD)/gen/lemmings/$(basename $(notdir $(1))).h: $(1) $(BUILD)/tools/idlc
	@mkdir -p $$(@D)
	$$(call say,IDLC,$$<)
	$(Q)$(BUILD)/tools/idlc -o $$@ $$<
endef
$(foreach f,$(PROGRAM_IDLS),$(eval $(call program_idl_rule,$(f))))
