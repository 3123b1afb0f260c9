#!/bin/sh
# The Net door in the hosted runtime on four harts (hosted/net_test.c): a
# socket registered with one hart's epoll instance wakes threads that run on
# the others, through the ordinary cross-hart path.
cd "$(dirname "$0")/.." || exit 1
LEMMINGS_HARTS=4 exec build/tests/hosted_net_test
