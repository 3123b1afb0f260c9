\ tests/quirks.t: no door calls this early; the error says so.
." stage-test: before the door call" cr
1 2 kvstore.put
." stage-test: not reached" cr
