#!/bin/sh
# The service doors in the hosted runtime on four harts: thread handles
# made up, stale and live, signalled from several harts at once while their
# threads end (services/services_test.c), as tests/smp.t does in the kernel.
cd "$(dirname "$0")/.." || exit 1
LEMMINGS_HARTS=4 exec build/tests/hosted_services_test
