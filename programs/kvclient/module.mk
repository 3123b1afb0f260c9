PROGRAMS += kvclient
kvclient_SRCS := programs/kvclient/kvclient.c
