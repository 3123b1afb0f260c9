1 if 2 else 3
: half ( open
 s" unterminated
