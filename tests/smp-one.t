#!/bin/sh
# One hart (-smp 1): the firmware lists one, the SMP tests that need more
# say so and pass, and the scheduler tests still pass.
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 300 --smp 1 --mem 512M 'smp.*,sched.*'
