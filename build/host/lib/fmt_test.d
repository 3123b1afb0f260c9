build/host/lib/fmt_test.o: lib/fmt_test.c lib/fmt.h lib/test.h
lib/fmt.h:
lib/test.h:
