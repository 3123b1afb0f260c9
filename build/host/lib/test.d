build/host/lib/test.o: lib/test.c lib/test.h
lib/test.h:
