# lang/: the init language (docs/init.md), portable, with its x86-64 code
# emitter in arch/. Tested and fuzzed on the host, where its memory comes
# from hosted/lang_mem.c.

LANG_SRCS := lang/reader.c lang/dict.c lang/words.c lang/machine.c lang/compile.c \
	arch/$(ARCH)/lang_emit.c

HOST_TESTS += lang_test
lang_test_SRCS := $(LANG_SRCS) lang/lineedit.c hosted/lang_mem.c lang/lang_test.c lang/lineedit_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += lang_fuzz
lang_fuzz_SRCS := $(LANG_SRCS) lang/lineedit.c hosted/lang_mem.c lang/lang_fuzz.c lib/fmt.c
lang_fuzz_CORPUS := lang/fuzz-seeds

# The benchmark (make bench): compile rate, and a compiled loop against the
# same loop in C. Optimized, no sanitizers, like the hosted benchmark.
LANG_BENCH := $(BUILD)/bench/lang-bench
LANG_BENCH_SRCS := $(LANG_SRCS) hosted/lang_mem.c lang/lang_bench.c lib/fmt.c
$(LANG_BENCH): $(patsubst %,$(BUILD)/bench/obj/%.o,$(basename $(LANG_BENCH_SRCS)))
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(HCC) $^ -o $@
BENCH_DEPS += $(LANG_BENCH)
BENCHES += $(LANG_BENCH)

# make check: the unit tests (HOST_TESTS above) and a short fuzzing run.
E2E_TESTS += tests/lang-fuzz.t
CHECK_DEPS += $(BUILD)/fuzz/lang_fuzz

# The kernel links the language with its hardware words (kernel/lang_hw.c);
# running compiled code there waits for an executable region.
KERNEL_SRCS += $(LANG_SRCS)
