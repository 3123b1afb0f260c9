build/host/lib/test_host.o: lib/test_host.c lib/glob.h lib/test.h
lib/glob.h:
lib/test.h:
