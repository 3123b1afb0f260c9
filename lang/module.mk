# lang/: the init language (docs/init.md), portable, with its x86-64 code
# emitter in arch/. Tested and fuzzed on the host, where its memory comes
# from hosted/lang_mem.c.

LANG_SRCS := lang/reader.c lang/dict.c lang/words.c lang/machine.c lang/compile.c \
	arch/$(ARCH)/lang_emit.c

HOST_TESTS += lang_test
lang_test_SRCS := $(LANG_SRCS) hosted/lang_mem.c lang/lang_test.c lib/fmt.c lib/test.c lib/glob.c
