\ tests/quirks.t: at stage programs the doors are published; a door
\ routine called by name: the Harts door's count.
." stage-test: programs, harts.count " harts.count . cr
