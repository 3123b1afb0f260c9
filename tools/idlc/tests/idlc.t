#!/bin/sh
# idlc golden tests: every sdk/idl/*.idl compiles to a header that gcc
# accepts with -Werror; API IDs match tools/idlc/tests/ids.txt and do not
# change with spelling but do with meaning; the example's header matches
# its golden copy; each malformed file in errors/ fails with exit status 1
# and the first stderr line in its .err file; usage errors exit 2; a
# failed run leaves no output file. -o replaces a regular file by rename
# but writes through a symlink, a FIFO or /dev/null, which stay what they
# are; an input that is a folder, missing or unreadable is named in a
# "file: error: message" line; 200,000 types compile in seconds of CPU time.
cd "$(dirname "$0")/../../.." || exit 1
IDLC=build/tools/idlc
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/lemmings"
n=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# A C file that includes <lemmings/STEM.h> and uses each door's struct,
# header macro, lookup and a wrapper-free member access.
use_c() {
	stem=$1
	echo "#include <lemmings/$stem.h>"
	$IDLC --id "$2" | while read -r door id; do
		cat <<EOC
static const struct ${door}_door ${door}_published = { .header = $(echo "$door" | tr a-z A-Z)_DOOR_HEADER };
const struct ${door}_door *${door}_use(void);
const struct ${door}_door *${door}_use(void)
{
	const struct ${door}_door *d = ${door}_door_find();

	if (!lm_api_id_equal(&${door}_published.header.api_id, &${door}_api_id))
		return 0;
	return d ? d : &${door}_published;
}
EOC
	done
}

files="$(ls sdk/idl/*.idl) tools/idlc/tests/example.idl"
count=$(echo $files | wc -w)
pins=$(grep -c . tools/idlc/tests/ids.txt)
errors=$(ls tools/idlc/tests/errors/*.idl | wc -l)
echo "1..$((count * 2 + pins + 16 + errors * 2))"

for f in $files; do
	stem=$(basename "$f" .idl)
	$IDLC -o "$T/lemmings/$stem.h" "$f"
	ok $? "idlc compiles $f"
	use_c "$stem" "$f" > "$T/use_$stem.c"
	gcc -std=gnu17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -Isdk/include -I"$T" -c "$T/use_$stem.c" -o "$T/use_$stem.o"
	ok $? "the header of $f builds with gcc -Werror and its door struct is usable"
done

while read -r f door id; do
	got=$($IDLC --id "$f" | awk -v d="$door" '$1 == d { print $2 }')
	[ "$got" = "$id" ]
	ok $? "API ID of door $door in $f is the pinned $id (got ${got:-nothing})"
done < tools/idlc/tests/ids.txt

cmp -s tools/idlc/tests/golden/example.h "$T/lemmings/example.h"
ok $? "the header of example.idl matches tools/idlc/tests/golden/example.h"

id=$($IDLC --id sdk/idl/threads.idl)
[ -n "$id" ] && [ "$($IDLC --id tools/idlc/tests/same/threads.idl)" = "$id" ]
ok $? "reordered, respelt threads.idl keeps the API ID"
sed 's/--.*//' sdk/idl/threads.idl | tr '\n' ' ' | tr -s ' ' > "$T/threads.idl"
[ "$($IDLC --id "$T/threads.idl")" = "$id" ]
ok $? "threads.idl without comments, on one line, keeps the API ID"
sed 's/u32 0 to 256/u32 0 to 255/' sdk/idl/threads.idl > "$T/threads.idl"
! cmp -s sdk/idl/threads.idl "$T/threads.idl" && [ "$($IDLC --id "$T/threads.idl")" != "$id" ]
ok $? "a one-character range change alters the API ID"
sed 's/stack_pages:/stack_page:/' sdk/idl/threads.idl > "$T/threads.idl"
[ "$($IDLC --id "$T/threads.idl")" != "$id" ]
ok $? "renaming a field alters the API ID"

$IDLC >/dev/null 2>&1
[ $? = 2 ]
ok $? "no input file: exit status 2"
$IDLC --bogus sdk/idl/timer.idl >/dev/null 2>&1
[ $? = 2 ]
ok $? "unknown option: exit status 2"
echo "old" > "$T/out.h"
$IDLC -o "$T/out.h" tools/idlc/tests/errors/cycle.idl 2>/dev/null
[ $? = 1 ] && [ "$(cat "$T/out.h")" = old ] && [ -z "$(ls "$T" | grep tmp)" ]
ok $? "a failed compile leaves the output file as it was, and no temporary"

example=tools/idlc/tests/example.idl
golden=tools/idlc/tests/golden/example.h
echo "old" > "$T/out.h"
ln "$T/out.h" "$T/hard.h"
$IDLC -o "$T/out.h" $example
[ $? = 0 ] && cmp -s "$T/out.h" $golden && [ "$(cat "$T/hard.h")" = old ]
ok $? "a regular output file is replaced by rename: a hard link to it keeps the old text"
rm -f "$T/out.h" "$T/hard.h"

# Outputs that are not regular files, each in $T so that a regression
# renames over nothing that matters; /dev/null itself only once they pass.
echo "old" > "$T/target.h"
ln -s target.h "$T/link.h"
$IDLC -o "$T/link.h" $example
[ $? = 0 ] && [ -L "$T/link.h" ] && cmp -s "$T/target.h" $golden
link=$?
ok $link "-o through a symlink keeps the link and rewrites its target"
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" > "$T/fifo.out" &
reader=$!
timeout 20 $IDLC -o "$T/fifo" $example
st=$?
[ -p "$T/fifo" ] || kill $reader 2>/dev/null
wait $reader
[ $st = 0 ] && [ -p "$T/fifo" ] && cmp -s "$T/fifo.out" $golden
fifo=$?
ok $fifo "-o to a FIFO writes into it and leaves it a FIFO"
if [ $link = 0 ] && [ $fifo = 0 ] && [ -c /dev/null ]; then
	$IDLC -o /dev/null $example && [ -c /dev/null ]
	ok $? "-o /dev/null succeeds and /dev/null stays a character device"
else
	ok 1 "-o /dev/null not tried: the symlink or FIFO case failed, or /dev/null is no device"
fi

mkdir "$T/dir.idl"
$IDLC "$T/dir.idl" >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(cat "$T/err")" = "$T/dir.idl: error: is a directory, not an IDL file" ]
ok $? "a folder as input: $(cat "$T/err")"
$IDLC "$T/missing.idl" >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(cat "$T/err")" = "$T/missing.idl: error: cannot read: No such file or directory" ]
ok $? "a missing input: $(cat "$T/err")"
if [ "$(id -u)" = 0 ]; then
	n=$((n + 1))
	echo "ok $n # skip an unreadable input: root can read any file"
else
	cp $example "$T/locked.idl"
	chmod 000 "$T/locked.idl"
	$IDLC "$T/locked.idl" >/dev/null 2>"$T/err"
	[ $? = 1 ] && [ "$(cat "$T/err")" = "$T/locked.idl: error: cannot read: Permission denied" ]
	ok $? "an unreadable input: $(cat "$T/err")"
fi

# Seven C names per type: when the name registry was quadratic this took
# minutes; now under 2 s of CPU. The bound is on CPU time (ulimit -t),
# which a busy host does not stretch as it does the wall clock (9 s of it
# for the same 1.7 s of CPU on a loaded 2-CPU machine); the wall-clock
# timeout only stops a hang.
awk 'BEGIN {
	for (i = 0; i < 200000; i++)
		printf "t%d = sum { none: null  some: u64 1 to 9 }\n", i
	print "door d { r = null -> t199999 }"
}' > "$T/many.idl"
(ulimit -t 20 && exec timeout 300 $IDLC -o "$T/many.h" "$T/many.idl") &&
	grep -q "^typedef uint64_t many_t199999;" "$T/many.h"
ok $? "a file of 200,000 types compiles within 20 s of CPU time"
rm -f "$T/many.idl" "$T/many.h"

for f in tools/idlc/tests/errors/*.idl; do
	$IDLC "$f" >"$T/out" 2>"$T/err"
	st=$?
	[ $st = 1 ] && [ ! -s "$T/out" ]
	ok $? "$(basename "$f"): exit status 1 ($st), nothing on stdout"
	first=$(head -n 1 "$T/err")
	[ "$first" = "$(cat "${f%.idl}.err")" ]
	ok $? "$(basename "$f"): $first"
done
