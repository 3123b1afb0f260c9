PROGRAMS += kvstore
kvstore_SRCS := programs/kvstore/kvstore.c
