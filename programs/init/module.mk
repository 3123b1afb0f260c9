PROGRAMS += init
init_SRCS := programs/init/init.c
