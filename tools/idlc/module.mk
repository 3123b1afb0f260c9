# tools/idlc/: the IDL compiler. It runs during the build: every
# sdk/idl/<stem>.idl becomes build/gen/lemmings/<stem>.h, which objects that
# use a door depend on through $(IDL_HEADERS). docs/idl.md is the reference.

IDLC_SRCS := tools/idlc/util.c tools/idlc/lexer.c tools/idlc/parser.c \
	tools/idlc/check.c tools/idlc/canon.c tools/idlc/sha256.c \
	tools/idlc/cnames.c tools/idlc/gen.c tools/idlc/compile.c

TOOLS += idlc
idlc_SRCS := $(IDLC_SRCS) tools/idlc/main.c

IDL_HEADERS := $(patsubst sdk/idl/%.idl,$(BUILD)/gen/lemmings/%.h,$(wildcard sdk/idl/*.idl))

$(BUILD)/gen/lemmings/%.h: sdk/idl/%.idl $(BUILD)/tools/idlc
	@mkdir -p $(@D)
	$(call say,IDLC,$<)
	$(Q)$(BUILD)/tools/idlc -o $@ $<

HOST_TESTS += idlc_test
idlc_test_SRCS := $(IDLC_SRCS) tools/idlc/sha256_test.c tools/idlc/idlc_test.c \
	lib/test.c lib/glob.c

FUZZERS += idlc_fuzz
idlc_fuzz_SRCS := $(IDLC_SRCS) tools/idlc/fuzz.c
idlc_fuzz_CORPUS := tools/idlc/fuzz-seeds

E2E_TESTS += tools/idlc/tests/idlc.t
CHECK_DEPS += $(BUILD)/tools/idlc $(IDL_HEADERS)

# Every door of the system's and the programs' IDL files in one header
# (tools/door-catalog): the gate and init find doors in it by API ID or name.
DOOR_CATALOG := $(BUILD)/gen/lemmings/catalog.h
DOOR_CATALOG_IDLS := $(sort $(wildcard sdk/idl/*.idl programs/*/*.idl))
$(DOOR_CATALOG): $(DOOR_CATALOG_IDLS) tools/door-catalog $(BUILD)/tools/idlc
	@mkdir -p $(@D)
	$(call say,CATALOG,$@)
	$(Q)tools/door-catalog $(BUILD)/tools/idlc $@ $(DOOR_CATALOG_IDLS)
