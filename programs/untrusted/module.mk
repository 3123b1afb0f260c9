# programs/untrusted: small ring 3 programs for tests/isolation.t and the
# process suite, each one thing an untrusted program might try
# (docs/isolation.md). u-*.S are a few instructions each, ending in an exit
# syscall (rax 0, status in rdi) if they get that far; u-*.c are C, built
# untrusted (LM_UNTRUSTED: the generated door wrappers call through the
# gate) with ustart.S, not the SDK's start code, which reaches for the
# system table through GS (ring 3 has none) and whose library needs it.
# Linked as every program is (sdk/program.ld). In the boot archive as
# /bin/u-*, with the list /etc/programs.isolation.

UNTRUSTED_PROGRAMS := $(basename $(notdir $(wildcard programs/untrusted/u-*.S programs/untrusted/u-*.c)))
UNTRUSTED_BINS := $(addprefix $(BUILD)/untrusted/,$(UNTRUSTED_PROGRAMS))
# The C ones include door headers generated from the IDL: the Makefile
# orders them after those (IDL_HEADERS is not yet set when this is read).
UNTRUSTED_C_OBJS := $(patsubst programs/untrusted/%.c,$(BUILD)/untrusted/%.o,$(wildcard programs/untrusted/u-*.c))

$(BUILD)/untrusted/%.o: programs/untrusted/%.S
	@mkdir -p $(@D)
	$(call say,UAS,$<)
	$(Q)$(PCC) -c -o $@ $<

$(BUILD)/untrusted/%.o: programs/untrusted/%.c
	@mkdir -p $(@D)
	$(call say,UCC,$<)
	$(Q)$(PCC) $(PCFLAGS) -DLM_UNTRUSTED -c -o $@ $<

$(BUILD)/untrusted/u-%: $(BUILD)/untrusted/u-%.o $(BUILD)/untrusted/ustart.o sdk/program.ld tools/check-program
	$(call say,ULD,$@)
	$(Q)ld $(PLDFLAGS) -o $@ $< $(if $(wildcard programs/untrusted/u-$*.c),$(BUILD)/untrusted/ustart.o)
	$(Q)tools/check-program $@

ARCHIVE_COMMANDS += programs/untrusted/archive.sh
ARCHIVE_DEPS += $(UNTRUSTED_BINS) programs/untrusted/isolation.list
.PRECIOUS: $(BUILD)/untrusted/%.o
