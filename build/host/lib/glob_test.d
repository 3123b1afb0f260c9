build/host/lib/glob_test.o: lib/glob_test.c lib/glob.h lib/test.h
lib/glob.h:
lib/test.h:
