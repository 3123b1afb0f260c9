# programs/untrusted: small ring 3 programs for tests/isolation.t, each one
# thing an untrusted program might try (docs/isolation.md). They are not
# built with the SDK, whose start code reaches for the system table through
# GS, which ring 3 does not have: each is a few instructions of assembly,
# linked as every program is (sdk/program.ld), ending in an exit syscall
# (rax 0, status in rdi) if it gets that far. In the boot archive as /bin/u-*,
# with the list /etc/programs.isolation.

UNTRUSTED_PROGRAMS := $(basename $(notdir $(wildcard programs/untrusted/u-*.S)))
UNTRUSTED_BINS := $(addprefix $(BUILD)/untrusted/,$(UNTRUSTED_PROGRAMS))

$(BUILD)/untrusted/%: programs/untrusted/%.S sdk/program.ld tools/check-program
	@mkdir -p $(@D)
	$(call say,UPROG,$@)
	$(Q)$(PCC) -c -o $@.o $<
	$(Q)ld $(PLDFLAGS) -o $@ $@.o
	$(Q)tools/check-program $@

ARCHIVE_COMMANDS += programs/untrusted/archive.sh
ARCHIVE_DEPS += $(UNTRUSTED_BINS) programs/untrusted/isolation.list
