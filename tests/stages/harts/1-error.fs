\ tests/quirks.t: an error stops this script, at its position; the next
\ script of the stage and the boot go on.
: twice dup + ;
." stage-test: harts " 21 twice . cr
1 2 3 nosuchword
." stage-test: not reached" cr
