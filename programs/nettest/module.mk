# programs/nettest: a client of the Net door for the tests (tests/net-kernel-client.t,
# tests/net-hosted.t), in no program list of its own; the tests write the list.
PROGRAMS += nettest
nettest_SRCS := programs/nettest/nettest.c
