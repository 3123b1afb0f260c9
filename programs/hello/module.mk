PROGRAMS += hello
hello_SRCS := programs/hello/hello.c
