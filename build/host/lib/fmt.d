build/host/lib/fmt.o: lib/fmt.c lib/fmt.h
lib/fmt.h:
