PROGRAMS += harts
harts_SRCS := programs/harts/harts.c
