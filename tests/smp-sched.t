#!/bin/sh
# Four harts with sched=0-1: harts 2 and 3 stay out of the main scheduler
# and run nothing of its work; the SMP tests adapt and restore the set.
cd "$(dirname "$0")/.." || exit 1
exec tools/ktest-run --timeout 300 --smp 4 --mem 512M 'smp.*' sched=0-1
