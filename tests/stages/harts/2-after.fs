\ tests/quirks.t: runs after 1-error.fs stopped.
." stage-test: harts goes on" cr
