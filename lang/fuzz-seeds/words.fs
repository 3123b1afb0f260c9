\ every kind of word
variable x 42 x ! x @ . 3 x +! x c@ .
10 constant ten ten 2 * 1+ 1- negate abs .
1 2 3 rot swap over nip tuck 2dup 2drop drop drop depth . .s
7 3 / 7 3 mod 7 3 /mod + + + . 5 9 min 5 9 max and or xor invert .
1 4 lshift 2 rshift 3 = 4 <> < 0= 0< -1 0 u< > . hex 255 . decimal 0x1f $20 -0x3 .s
s" hello" type ." world" cr 65 emit space x 16 dump true false bl cell 2drop 2drop
