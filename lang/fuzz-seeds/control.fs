( nested control structures, recursion, immediate words )
: fact dup 1 > if dup 1- recurse * then ;
: t 3 0 do 2 0 do j i + . loop loop ;
: w 0 begin dup 5 < while 1+ repeat ;
: u 0 begin 1+ dup 9 = until ;
: e 10 0 do i 3 = if exit then loop ;
: now ." compiling " ; immediate
: v now 5 fact . t w u + . e ;
v words
