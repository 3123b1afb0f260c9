\ tests/quirks.t: a fault in a poke is the script's error, not the kernel's.
." stage-test: sched" cr
0 @ .
