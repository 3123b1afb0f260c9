# core/gate_check: the gate's check of one untrusted call (kernel/gate.c,
# docs/isolation.md), its host tests and fuzzer.

HOST_TESTS += gate_check_test
gate_check_test_SRCS := core/gate_check.c core/gate_check_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += gate_check_fuzz
gate_check_fuzz_SRCS := core/gate_check.c core/gate_check_fuzz.c
gate_check_fuzz_CORPUS := core/fuzz-seeds/gate_check
