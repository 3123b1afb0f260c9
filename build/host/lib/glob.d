build/host/lib/glob.o: lib/glob.c lib/glob.h
lib/glob.h:
